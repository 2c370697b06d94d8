"""What can be wrong with one record's bytes or one record's fields.

All are `SchemaError`s: the record alone is bad, so a producer drops or dead-letters it and
a consumer sends it to the dead-letter topic; retrying the same bytes cannot help.
"""

from lienthong.errors import ConfigurationError, FatalError, SchemaError
from lienthong.ids import SchemaId, Subject

__all__ = [
    "PayloadError",
    "RecordMismatchError",
    "ResolutionError",
    "SchemaNotRegisteredError",
    "SerializerUsageError",
    "UnresolvedSchemaError",
    "WireFormatError",
]


class WireFormatError(SchemaError):
    """The bytes do not start with the Confluent header (magic byte, schema id)."""


class PayloadError(SchemaError):
    """The Avro body after the header is truncated, garbled or followed by extra bytes."""

    def __init__(self, message: str, *, schema_id: SchemaId) -> None:
        super().__init__(message)
        self.schema_id = schema_id


class ResolutionError(SchemaError):
    """Data written with one schema cannot be read into the reader's schema."""

    def __init__(self, message: str, *, schema_id: SchemaId) -> None:
        super().__init__(message)
        self.schema_id = schema_id


class RecordMismatchError(SchemaError):
    """A record to encode does not match its schema; `field` is the path to the bad value."""

    def __init__(self, schema_name: str, field: str, problem: str) -> None:
        super().__init__(f"record does not match {schema_name}: field {field}: {problem}")
        self.schema_name = schema_name
        self.field = field
        self.problem = problem


class SchemaNotRegisteredError(ConfigurationError):
    """Lookup-only serializer, and the subject does not hold the schema: register it first."""

    def __init__(self, subject: Subject, schema_name: str, reason: str) -> None:
        super().__init__(
            f"{schema_name} is not registered under subject {subject!r} ({reason}) and "
            "auto-registration is off: register it first (lienthong schemas register)"
        )
        self.subject = subject


class SerializerUsageError(FatalError):
    """`encode` before `await prepare(topic)`, or one serializer for two subjects: a code bug."""


class UnresolvedSchemaError(FatalError):
    """`decode` met a writer schema id not fetched yet: call `await resolve(data)` first.

    Fatal rather than a dead letter: the record is fine, the calling code skipped a step.
    """

    def __init__(self, schema_id: SchemaId) -> None:
        super().__init__(
            f"writer schema id {schema_id} has not been fetched: "
            "await deserializer.resolve(data) (or decode_async) before the sync decode"
        )
        self.schema_id = schema_id
