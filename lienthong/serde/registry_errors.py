"""The schema registry's error answers as typed errors, grouped by what the caller does.

Every registry speaking the Confluent REST API answers a failure with
`{"error_code": 40403, "message": "..."}`; `error_code` stays on the error as data.
"""

from collections.abc import Mapping
from typing import Any, Final

from lienthong.errors import ConfigurationError, LienthongError, RetriableError, SchemaError

__all__ = [
    "INCOMPATIBLE_SCHEMA",
    "INVALID_SCHEMA",
    "SCHEMA_NOT_FOUND",
    "SUBJECT_NOT_FOUND",
    "SUBJECT_SOFT_DELETED",
    "VERSION_NOT_FOUND",
    "IncompatibleSchemaError",
    "InvalidSchemaError",
    "RegistryError",
    "RegistryRequestError",
    "RegistryUnavailableError",
    "SchemaNotFoundError",
    "SubjectNotFoundError",
    "VersionNotFoundError",
    "error_from_response",
]

SUBJECT_NOT_FOUND: Final = 40401
VERSION_NOT_FOUND: Final = 40402
SCHEMA_NOT_FOUND: Final = 40403
SUBJECT_SOFT_DELETED: Final = 40404
INCOMPATIBLE_SCHEMA: Final = 409
INVALID_SCHEMA: Final = 42201


class RegistryError(LienthongError):
    """The registry refused a request or could not be reached."""

    def __init__(
        self, message: str, *, error_code: int | None = None, http_status: int | None = None
    ) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.http_status = http_status


class RegistryUnavailableError(RegistryError, RetriableError):
    """No answer, a timeout, or a 5xx: the same request may succeed later."""


class RegistryRequestError(RegistryError, ConfigurationError):
    """A request the registry will never accept as sent (bad level, credentials, version)."""


class SubjectNotFoundError(RegistryError, ConfigurationError):
    """No such subject (or it was deleted): nothing is registered under it."""


class VersionNotFoundError(RegistryError, ConfigurationError):
    """The subject has no such version."""


class SchemaNotFoundError(RegistryError, SchemaError):
    """No schema with this id, or the subject does not hold this schema."""


class IncompatibleSchemaError(RegistryError, SchemaError):
    """The subject's compatibility level refuses this schema."""


class InvalidSchemaError(RegistryError, SchemaError):
    """The registry cannot parse the schema."""


_BY_CODE: Final[Mapping[int, type[RegistryError]]] = {
    SUBJECT_NOT_FOUND: SubjectNotFoundError,
    SUBJECT_SOFT_DELETED: SubjectNotFoundError,
    VERSION_NOT_FOUND: VersionNotFoundError,
    SCHEMA_NOT_FOUND: SchemaNotFoundError,
    INCOMPATIBLE_SCHEMA: IncompatibleSchemaError,
    INVALID_SCHEMA: InvalidSchemaError,
}


def error_from_response(http_status: int, body: Any, *, what: str) -> RegistryError:
    """The typed error for a failed answer; `what` says which request failed, for the message."""
    error_code = http_status
    message = ""
    if isinstance(body, Mapping):
        code = body.get("error_code")
        error_code = code if isinstance(code, int) else http_status
        message = str(body.get("message") or "")
    elif isinstance(body, str):
        message = body.strip()[:200]
    text = f"schema registry refused {what}: {message or f'HTTP {http_status}'}"
    text += f" (error {error_code})"
    if http_status >= 500 or http_status == 429:
        return RegistryUnavailableError(text, error_code=error_code, http_status=http_status)
    kind = _BY_CODE.get(error_code, RegistryRequestError)
    return kind(text, error_code=error_code, http_status=http_status)
