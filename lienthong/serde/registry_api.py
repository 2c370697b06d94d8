"""What the serializer and deserializer need from a schema registry, and nothing more.

`RegistryClient` speaks it over HTTP; `InMemoryRegistry` speaks it in memory for tests and
benchmarks. Implementations cache: the same question never costs two round trips.
"""

from typing import Protocol

from lienthong.ids import SchemaId, Subject
from lienthong.serde.schema import AvroSchema

__all__ = ["SchemaRegistry"]


class SchemaRegistry(Protocol):
    async def register(self, subject: Subject, schema: AvroSchema) -> SchemaId:
        """The schema's id, registering it under `subject` if it is not there yet."""
        ...

    async def lookup(self, subject: Subject, schema: AvroSchema) -> SchemaId:
        """The schema's id if `subject` holds it; never registers."""
        ...

    async def schema_by_id(self, schema_id: SchemaId) -> AvroSchema:
        """The schema a record's header names."""
        ...
