"""A schema registry held in memory: for unit tests, benchmarks and tools without a server.

Ids are global per distinct schema and versions count per subject, as Confluent's registry
numbers them; errors carry Confluent's error codes. No compatibility check on register.
"""

from collections import Counter

from lienthong.ids import SchemaId, Subject
from lienthong.serde.registry_api import SchemaRegistry
from lienthong.serde.registry_errors import (
    SCHEMA_NOT_FOUND,
    SUBJECT_NOT_FOUND,
    SchemaNotFoundError,
    SubjectNotFoundError,
)
from lienthong.serde.schema import AvroSchema

__all__ = ["InMemoryRegistry"]


class InMemoryRegistry(SchemaRegistry):
    def __init__(self, *, first_id: int = 1) -> None:
        self._next_id = first_id
        self._ids: dict[str, SchemaId] = {}
        self._schemas: dict[SchemaId, AvroSchema] = {}
        self._subjects: dict[Subject, list[SchemaId]] = {}
        self.calls: Counter[str] = Counter()
        """How many times each method was awaited: lets a test prove what is cached."""

    async def register(self, subject: Subject, schema: AvroSchema) -> SchemaId:
        self.calls["register"] += 1
        schema_id = self._ids.get(schema.text)
        if schema_id is None:
            schema_id = SchemaId(self._next_id)
            self._next_id += 1
            self._ids[schema.text] = schema_id
            self._schemas[schema_id] = schema
        versions = self._subjects.setdefault(subject, [])
        if schema_id not in versions:
            versions.append(schema_id)
        return schema_id

    async def lookup(self, subject: Subject, schema: AvroSchema) -> SchemaId:
        self.calls["lookup"] += 1
        versions = self._subjects.get(subject)
        if versions is None:
            raise SubjectNotFoundError(
                f"subject {subject!r} not found", error_code=SUBJECT_NOT_FOUND, http_status=404
            )
        schema_id = self._ids.get(schema.text)
        if schema_id is None or schema_id not in versions:
            raise SchemaNotFoundError(
                f"subject {subject!r} does not hold {schema.full_name}",
                error_code=SCHEMA_NOT_FOUND,
                http_status=404,
            )
        return schema_id

    async def schema_by_id(self, schema_id: SchemaId) -> AvroSchema:
        self.calls["schema_by_id"] += 1
        schema = self._schemas.get(schema_id)
        if schema is None:
            raise SchemaNotFoundError(
                f"schema id {schema_id} not found", error_code=SCHEMA_NOT_FOUND, http_status=404
            )
        return schema

    def versions(self, subject: Subject) -> list[SchemaId]:
        """The ids registered under `subject`, oldest first."""
        return list(self._subjects.get(subject, ()))
