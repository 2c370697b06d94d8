"""Avro binary encoding of events against the schemas in `schemas/`.

Records are validated before they are written, so a bad record fails with the path of
the offending field rather than a bare struct error deep inside the encoder.
"""

from io import BytesIO
from typing import Any, Final, Protocol

from fastavro import schemaless_reader, schemaless_writer
from fastavro.validation import ValidationError, validate

from lienthong.errors import SchemaError
from schemas import load_parsed_schema

__all__ = ["SCHEMA_HEADER", "AvroCodec", "RecordDecoder", "RecordEncoder"]

SCHEMA_HEADER: Final = "lienthong.schema"
"""Kafka header naming the full Avro record name of the value."""


class RecordEncoder(Protocol):
    """Turns one record into the bytes of a Kafka value."""

    def encode(self, record: dict[str, Any]) -> bytes: ...


class RecordDecoder(Protocol):
    """Turns the bytes of a Kafka value back into one record."""

    def decode(self, data: bytes) -> dict[str, Any]: ...


class AvroCodec:
    """Encodes and decodes one record type as schemaless Avro binary."""

    def __init__(self, full_name: str) -> None:
        self.full_name = full_name
        self.schema = load_parsed_schema(full_name)

    def encode(self, record: dict[str, Any]) -> bytes:
        # The quiet check is several times faster; the loud one only runs to explain a failure.
        try:
            if not validate(record, self.schema, raise_errors=False):
                validate(record, self.schema, raise_errors=True)
            buffer = BytesIO()
            schemaless_writer(buffer, self.schema, record)
        except (ValidationError, ValueError, TypeError) as exc:
            # fastavro reports some violations (a decimal finer than its scale) as bare errors
            raise SchemaError(f"record does not match {self.full_name}: {exc}") from exc
        return buffer.getvalue()

    def decode(self, data: bytes) -> dict[str, Any]:
        buffer = BytesIO(data)
        try:
            record = schemaless_reader(buffer, self.schema, None)
        except (EOFError, ValueError, IndexError, UnicodeDecodeError, TypeError) as exc:
            raise SchemaError(f"bytes are not a valid {self.full_name}: {exc!r}") from exc
        if buffer.tell() != len(data):
            raise SchemaError(
                f"bytes are not a valid {self.full_name}: "
                f"{len(data) - buffer.tell()} trailing bytes after the record"
            )
        if not isinstance(record, dict):
            raise SchemaError(f"bytes are not a valid {self.full_name}: not a record")
        return record
