"""What the API answers when it refuses a request: an RFC 9457 problem document.

    {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
     "detail": "2 problems in the change", "errors": [{"loc": "after.status", "msg": "..."}]}

Handlers raise `ApiProblem`; the middleware of `connectors.http.app` turns it (and anything
unexpected, as a 500) into the response, so no input can end the process.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final

from aiohttp import web

__all__ = ["PROBLEM_TYPE", "ApiProblem", "FieldError", "json_response", "problem_response"]

PROBLEM_TYPE: Final = "application/problem+json"


@dataclass(frozen=True, slots=True)
class FieldError:
    loc: str
    """Where in the request body: `after.applicant.name`, `[3].version` in a batch."""
    msg: str

    def as_json(self) -> dict[str, str]:
        return {"loc": self.loc, "msg": self.msg}


class ApiProblem(Exception):
    """A refusal with its HTTP status; raised by handlers, answered by the middleware."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: Sequence[FieldError] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = tuple(errors)
        self.headers = headers or {}


def problem_response(problem: ApiProblem) -> web.Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(problem.status).phrase,
        "status": problem.status,
        "detail": problem.detail,
    }
    if problem.errors:
        body["errors"] = [error.as_json() for error in problem.errors]
    return json_response(body, problem.status, PROBLEM_TYPE, problem.headers)


def json_response(
    body: Any,
    status: int = 200,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> web.Response:
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status=status,
        content_type=content_type,
        headers=headers,
    )
