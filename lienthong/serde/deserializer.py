"""Confluent-framed Avro to records, resolved from the writer's schema into the reader's.

    deserializer = AvroDeserializer(client, reader=repo_schema(DOSSIER_CHANGE))
    await deserializer.resolve(value)        # fetches an unseen writer schema id, once
    record = deserializer.decode(value)      # sync, no I/O
    record = await deserializer.decode_async(value)   # both in one call

Decoding is sync so pure transforms can call it; fetching a schema is I/O, so it is a
separate async step that costs one dict lookup once the id is known. Data from an older
writer comes out in the reader's (current) shape: added fields get their defaults.
"""

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from fastavro import schemaless_reader
from fastavro.read import SchemaResolutionError

from lienthong.ids import SchemaId
from lienthong.serde.errors import PayloadError, ResolutionError, UnresolvedSchemaError
from lienthong.serde.registry_api import SchemaRegistry
from lienthong.serde.schema import AvroSchema
from lienthong.serde.wire import HEADER_SIZE, read_schema_id

__all__ = ["AvroDeserializer"]

_GARBLED = (EOFError, ValueError, IndexError, UnicodeDecodeError, TypeError, OverflowError)


@dataclass(frozen=True, slots=True)
class _ReadPlan:
    writer: AvroSchema
    writer_parsed: Any
    reader_parsed: Any
    """None when the writer's shape is the reader's: fastavro then skips resolution."""


class AvroDeserializer:
    """Reads any writer schema the registry knows into `reader` (or as written, if None)."""

    def __init__(self, registry: SchemaRegistry, reader: AvroSchema | None = None) -> None:
        self.reader = reader
        self._registry = registry
        self._plans: dict[SchemaId, _ReadPlan] = {}

    async def resolve(self, data: bytes) -> SchemaId:
        """The writer schema id of `data`, its schema fetched and compiled if new."""
        schema_id = read_schema_id(data)
        if schema_id not in self._plans:
            writer = await self._registry.schema_by_id(schema_id)
            self._plans[schema_id] = self._plan(writer)
        return schema_id

    def decode(self, data: bytes) -> dict[str, Any]:
        """The record in `data`, whose writer schema `resolve` has already fetched."""
        schema_id = read_schema_id(data)
        plan = self._plans.get(schema_id)
        if plan is None:
            raise UnresolvedSchemaError(schema_id)
        buffer = BytesIO(data)
        buffer.seek(HEADER_SIZE)
        try:
            record = schemaless_reader(buffer, plan.writer_parsed, plan.reader_parsed)
        except SchemaResolutionError as exc:
            raise ResolutionError(
                f"data written with schema id {schema_id} ({plan.writer.full_name}) cannot be "
                f"read as {self._reader_name}: {exc}",
                schema_id=schema_id,
            ) from exc
        except _GARBLED as exc:
            raise PayloadError(
                f"Avro payload of schema id {schema_id} ({plan.writer.full_name}) is truncated "
                f"or garbled: {exc!r}",
                schema_id=schema_id,
            ) from exc
        if buffer.tell() != len(data):
            raise PayloadError(
                f"Avro payload of schema id {schema_id} ({plan.writer.full_name}) is garbled: "
                f"{len(data) - buffer.tell()} bytes left after the record",
                schema_id=schema_id,
            )
        if not isinstance(record, dict):
            raise PayloadError(
                f"schema id {schema_id} ({plan.writer.full_name}) is not a record schema",
                schema_id=schema_id,
            )
        return record

    async def decode_async(self, data: bytes) -> dict[str, Any]:
        """`resolve` then `decode`: no round trip once the writer's id has been seen."""
        await self.resolve(data)
        return self.decode(data)

    @property
    def _reader_name(self) -> str:
        return self.reader.full_name if self.reader is not None else "the writer's schema"

    def _plan(self, writer: AvroSchema) -> _ReadPlan:
        reader = self.reader
        if reader is None or writer.shape == reader.shape:
            # Same shape, same bytes: reading with the reader's own parsed form skips resolution.
            parsed = writer.parsed if reader is None else reader.parsed
            return _ReadPlan(writer, parsed, None)
        return _ReadPlan(writer, writer.parsed, reader.parsed)
