"""The registry's errors, each carrying the Confluent `error_code` its REST API reports.

They are domain errors: the HTTP edge (`lienthong.registry.http_app`) alone turns them into a
status and a `{"error_code": N, "message": "..."}` body. `retriable` is data, as everywhere.
"""

from typing import ClassVar

from lienthong.errors import LienthongError, RetriableError, SchemaError
from lienthong.ids import SchemaId, Subject

__all__ = [
    "IncompatibleSchemaError",
    "InvalidCompatibilityLevelError",
    "InvalidRequestError",
    "InvalidSchemaError",
    "InvalidVersionError",
    "MalformedRequestError",
    "RegistryError",
    "RegistryNotReadyError",
    "RegistryStoreError",
    "RegistryTimeoutError",
    "SchemaNotFoundError",
    "SubjectCompatibilityNotConfiguredError",
    "SubjectNotFoundError",
    "SubjectNotSoftDeletedError",
    "SubjectSoftDeletedError",
    "UnsupportedMediaTypeError",
    "VersionNotFoundError",
    "VersionNotSoftDeletedError",
    "VersionSoftDeletedError",
]


class RegistryError(LienthongError):
    """Root of the registry's errors; `error_code` is Confluent's code for it."""

    error_code: ClassVar[int] = 50001

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SubjectNotFoundError(RegistryError):
    error_code = 40401

    def __init__(self, subject: Subject) -> None:
        super().__init__(f"Subject '{subject}' not found.")


class VersionNotFoundError(RegistryError):
    error_code = 40402

    def __init__(self, version: int | str) -> None:
        super().__init__(f"Version {version} not found.")


class SchemaNotFoundError(RegistryError):
    error_code = 40403

    def __init__(self, schema_id: SchemaId | None = None) -> None:
        super().__init__(
            "Schema not found" if schema_id is None else f"Schema {schema_id} not found"
        )


class SubjectSoftDeletedError(RegistryError):
    error_code = 40404

    def __init__(self, subject: Subject) -> None:
        super().__init__(
            f"Subject '{subject}' was soft deleted. Set permanent=true to delete permanently"
        )


class SubjectNotSoftDeletedError(RegistryError):
    error_code = 40405

    def __init__(self, subject: Subject) -> None:
        super().__init__(
            f"Subject '{subject}' was not deleted first before being permanently deleted"
        )


class VersionSoftDeletedError(RegistryError):
    error_code = 40406

    def __init__(self, subject: Subject, version: int) -> None:
        super().__init__(
            f"Subject '{subject}' Version {version} was soft deleted. "
            "Set permanent=true to delete permanently"
        )


class VersionNotSoftDeletedError(RegistryError):
    error_code = 40407

    def __init__(self, subject: Subject, version: int) -> None:
        super().__init__(
            f"Subject '{subject}' Version {version} was not deleted "
            "first before being permanently deleted"
        )


class SubjectCompatibilityNotConfiguredError(RegistryError):
    error_code = 40408

    def __init__(self, subject: Subject) -> None:
        super().__init__(
            f"Subject '{subject}' does not have subject-level compatibility configured"
        )


class IncompatibleSchemaError(RegistryError, SchemaError):
    """The schema breaks the subject's compatibility level; nothing was written."""

    error_code = 409


class InvalidRequestError(RegistryError):
    """The request cannot be served as sent; sending it again unchanged will not help."""

    error_code = 422


class InvalidSchemaError(InvalidRequestError, SchemaError):
    error_code = 42201


class InvalidVersionError(InvalidRequestError):
    error_code = 42202

    def __init__(self, version: str) -> None:
        super().__init__(
            f"The specified version '{version}' is not a valid version id. "
            'Allowed values are between [1, 2^31-1] and the string "latest"'
        )


class InvalidCompatibilityLevelError(InvalidRequestError):
    error_code = 42203

    def __init__(self) -> None:
        super().__init__(
            "Invalid compatibility level. Valid values are none, backward, forward, full, "
            "backward_transitive, forward_transitive, and full_transitive"
        )


class MalformedRequestError(InvalidRequestError):
    """The body is not JSON, or not the JSON object the endpoint takes."""

    error_code = 400


class UnsupportedMediaTypeError(InvalidRequestError):
    error_code = 415


class RegistryStoreError(RetriableError, RegistryError):
    """Kafka refused or failed a read or a write of the schemas topic."""

    error_code = 50001


class RegistryTimeoutError(RetriableError, RegistryError):
    """The schemas topic could not be read to its end, or written, within the time allowed."""

    error_code = 50002


class RegistryNotReadyError(RetriableError, RegistryError):
    """The registry is still reading the schemas topic from the beginning."""

    error_code = 503

    def __init__(self, failure: str | None = None) -> None:
        super().__init__(
            "The schema registry is still loading its topic; try again shortly"
            if failure is None
            else f"The schema registry cannot serve: {failure}"
        )
