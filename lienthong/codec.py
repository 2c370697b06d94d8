"""What the connectors and the stream need of a value codec, and the header naming its schema.

The codec itself is `lienthong.serde` (`AvroSerializer`, `AvroDeserializer`): Avro in the
Confluent wire format, its schemas from the registry.
"""

from typing import Any, Final, Protocol

__all__ = ["SCHEMA_HEADER", "RecordDecoder", "RecordEncoder"]

SCHEMA_HEADER: Final = "lienthong.schema"
"""Kafka header naming the full Avro record name of the value."""


class RecordEncoder(Protocol):
    """Turns one record into the bytes of a Kafka value."""

    def encode(self, record: dict[str, Any]) -> bytes: ...


class RecordDecoder(Protocol):
    """Turns the bytes of a Kafka value back into one record."""

    def decode(self, data: bytes) -> dict[str, Any]: ...
