"""The bus's own Avro serde for unit tests: repository schemas, an in-memory registry, no I/O."""

from dataclasses import dataclass
from typing import Any, Final

from lienthong.ids import TopicName
from lienthong.serde import AvroDeserializer, AvroSerializer, InMemoryRegistry, repo_schema
from lienthong.serde.wire import header

__all__ = ["TOPIC", "Serde", "avro_serde"]

TOPIC: Final = TopicName("lienthong.unit-test")


@dataclass(frozen=True, slots=True)
class Serde:
    """A prepared serializer and a deserializer that already knows its schema id.

    Both halves are sync from here on, as the connector and the stream use them.
    """

    serializer: AvroSerializer
    deserializer: AvroDeserializer

    def encode(self, record: dict[str, Any]) -> bytes:
        return self.serializer.encode(record)

    def decode(self, data: bytes) -> dict[str, Any]:
        return self.deserializer.decode(data)

    def round_trip(self, record: dict[str, Any]) -> dict[str, Any]:
        return self.decode(self.encode(record))


async def avro_serde(full_name: str, topic: TopicName = TOPIC) -> Serde:
    """The record's current `.avsc` registered under `topic`'s value subject, writer = reader."""
    registry = InMemoryRegistry()
    schema = repo_schema(full_name)
    serializer = AvroSerializer(registry, schema)
    schema_id = await serializer.prepare(topic)
    deserializer = AvroDeserializer(registry, reader=schema)
    await deserializer.resolve(header(schema_id))
    return Serde(serializer, deserializer)
