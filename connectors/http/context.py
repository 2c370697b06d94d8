"""What every handler shares: the connector's spec and options, and the parts they call."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from aiohttp import web

from connectors.http.auth import Gatekeeper
from connectors.http.checking import ChangeChecker
from connectors.http.delivery import Delivery
from connectors.http.intake import Intake
from connectors.http.options import HttpOptions
from connectors.spec import ConnectorSpec

__all__ = ["ACCEPTED_SIGNATURE", "CONTEXT", "REQUEST_ID", "ApiContext"]

REQUEST_ID: Final = "X-Request-Id"


@dataclass(frozen=True, slots=True)
class ApiContext:
    spec: ConnectorSpec
    options: HttpOptions
    gatekeeper: Gatekeeper
    checker: ChangeChecker
    intake: Intake
    delivery: Delivery
    openapi: dict[str, Any]
    clock: Callable[[], datetime]


CONTEXT: Final = web.AppKey("http_api", ApiContext)

ACCEPTED_SIGNATURE: Final = web.RequestKey("accepted_signature", str)
"""The signature a request was admitted with, forgotten again if the request is refused."""
