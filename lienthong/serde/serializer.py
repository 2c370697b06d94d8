"""Records to Confluent-framed Avro: one registry round trip at start, then pure CPU per record.

    serializer = AvroSerializer(client, repo_schema(DOSSIER_CHANGE))
    await serializer.prepare(TopicName("motcua.dossiers"))   # registers or looks up, once
    value = serializer.encode(change.to_avro())               # sync, no I/O

The encode path is fastavro's writer into a reused buffer that already holds the header;
records inside `["null", Record]` unions are named first, so the writer need not validate
them to choose the branch (`lienthong.serde.union_names`).
Records are not validated first: the writer refuses a wrong type, a missing field or a bad
enum symbol by itself, and only then is the record walked to name the field. The writer
does let a float or a bool through into a long field (it converts); pass `validate=True`
when records do not come from the typed event models, which already rule that out.
"""

from collections.abc import Mapping
from io import BytesIO
from typing import Any

from fastavro import schemaless_writer
from fastavro.validation import validate as fastavro_validate

from lienthong.ids import SchemaId, Subject, TopicName
from lienthong.serde.errors import (
    RecordMismatchError,
    SchemaNotRegisteredError,
    SerializerUsageError,
)
from lienthong.serde.mismatch import find_mismatch
from lienthong.serde.registry_api import SchemaRegistry
from lienthong.serde.registry_errors import SchemaNotFoundError, SubjectNotFoundError
from lienthong.serde.schema import AvroSchema
from lienthong.serde.subjects import MessageField, subject_name
from lienthong.serde.union_names import union_namer
from lienthong.serde.wire import header
from lienthong.settings import SubjectNameStrategy

__all__ = ["AvroSerializer"]

_WRITER_ERRORS = (ValueError, TypeError, OverflowError, AttributeError, KeyError, IndexError)


class AvroSerializer:
    """Writes one schema to one subject. Not thread-safe: it reuses one buffer."""

    def __init__(
        self,
        registry: SchemaRegistry,
        schema: AvroSchema,
        *,
        auto_register: bool = True,
        strategy: SubjectNameStrategy = SubjectNameStrategy.TOPIC_NAME,
        field: MessageField = MessageField.VALUE,
        validate: bool = False,
    ) -> None:
        self.schema = schema
        self.auto_register = auto_register
        self.strategy = strategy
        self.field = field
        self.validate = validate
        self._registry = registry
        self._parsed = schema.parsed
        self._name_unions = union_namer(schema.parsed)
        self._buffer: BytesIO | None = None
        self._header_size = 0
        self.subject: Subject | None = None
        self.schema_id: SchemaId | None = None

    async def prepare(self, topic: TopicName) -> SchemaId:
        """Register (or, lookup-only, find) the schema under the topic's subject; once."""
        subject = subject_name(self.strategy, topic, self.schema.full_name, self.field)
        if self.schema_id is not None:
            if subject != self.subject:
                raise SerializerUsageError(
                    f"this serializer writes subject {self.subject!r}; "
                    f"use another one for {subject!r}"
                )
            return self.schema_id
        if self.auto_register:
            schema_id = await self._registry.register(subject, self.schema)
        else:
            try:
                schema_id = await self._registry.lookup(subject, self.schema)
            except (SubjectNotFoundError, SchemaNotFoundError) as exc:
                raise SchemaNotRegisteredError(subject, self.schema.full_name, str(exc)) from exc
        framing = header(schema_id)
        self._buffer = BytesIO(framing)
        self._header_size = len(framing)
        self.subject, self.schema_id = subject, schema_id
        return schema_id

    def encode(self, record: Mapping[str, Any]) -> bytes:
        """The framed Avro bytes of `record`; `RecordMismatchError` names a bad field."""
        buffer = self._buffer
        if buffer is None:
            raise SerializerUsageError("await serializer.prepare(topic) before encode()")
        if self.validate and not fastavro_validate(record, self._parsed, raise_errors=False):
            raise self._mismatch(record, None)
        buffer.seek(self._header_size)
        buffer.truncate()
        named = record if self._name_unions is None else self._name_unions(record)
        try:
            schemaless_writer(buffer, self._parsed, named)
        except _WRITER_ERRORS as exc:
            raise self._mismatch(record, exc) from exc
        return buffer.getvalue()

    def _mismatch(self, record: Any, exc: Exception | None) -> RecordMismatchError:
        try:
            found = find_mismatch(record, self._parsed)
        except Exception:  # the diagnosis failing must not hide the writer's own error
            found = None
        if found is not None:
            return RecordMismatchError(self.schema.full_name, found.field, found.problem)
        return RecordMismatchError(self.schema.full_name, "(unknown)", f"{exc!r}"[:300])
