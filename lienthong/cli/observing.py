"""What the operators' one-shot commands share: short timeouts, quiet client logs, one view.

A one-shot command must answer within seconds even when Kafka is down, and say so in one
line: the Kafka client's own connection errors are silenced (the command reports them).
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

import typer

from lienthong.cli.errors import exit_on_error
from lienthong.logs import configure_logging
from lienthong.observe import BusView
from lienthong.settings import Settings

__all__ = ["ONE_SHOT_TIMEOUT_S", "echo_json", "one_shot_settings", "with_view"]

T = TypeVar("T")

ONE_SHOT_TIMEOUT_S: Final = 5.0
"""Per Kafka request; a broker that does not answer within it is reported down."""


def one_shot_settings() -> Settings:
    """The process's settings, with logs at warnings only and the Kafka client's silenced."""
    with exit_on_error():
        settings = Settings()
    level = settings.log.level.upper()
    quiet = level if logging.getLevelName(level) in (logging.ERROR, logging.CRITICAL) else "WARNING"
    configure_logging(settings.log.model_copy(update={"level": quiet}))
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    return settings


def with_view(settings: Settings, read: Callable[[BusView], Awaitable[T]]) -> T:
    """`read(view)` on a BusView with short timeouts; domain errors exit with one line."""

    async def run() -> T:
        async with BusView(settings, request_timeout_s=ONE_SHOT_TIMEOUT_S) as view:
            return await read(view)

    with exit_on_error():
        return asyncio.run(run())


def echo_json(document: Any) -> None:
    """One JSON document on stdout, non-ASCII text as is."""
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
