"""The registry's state, materialised from the schemas topic one record at a time.

Pure: `apply` folds a record in, the queries answer from memory. Replaying the topic from the
beginning rebuilds exactly the state every other instance has at the same offset.
"""

from dataclasses import dataclass

from lienthong.ids import SchemaId, Subject
from lienthong.registry.avro_schemas import AVRO, parse_stored_schema
from lienthong.registry.compatibility import CompatibilityLevel
from lienthong.registry.errors import InvalidSchemaError
from lienthong.registry.records import (
    ConfigRecord,
    DeleteSubjectRecord,
    NoopRecord,
    SchemaRecord,
    StoreRecord,
)

__all__ = ["RegistryState", "SchemaText", "SchemaVersion"]

SchemaText = tuple[str, str]
"""(schema text, schema type): what a global id stands for."""


@dataclass(frozen=True, slots=True)
class SchemaVersion:
    subject: Subject
    version: int
    schema_id: SchemaId
    schema: str
    schema_type: str
    deleted: bool


class RegistryState:
    def __init__(self) -> None:
        self._subjects: dict[Subject, dict[int, SchemaVersion]] = {}
        self._users: dict[SchemaId, set[tuple[Subject, int]]] = {}
        self._texts: dict[SchemaId, SchemaText] = {}
        self._ids: dict[SchemaText, SchemaId] = {}
        self._configs: dict[Subject | None, CompatibilityLevel] = {}
        self.max_schema_id = 0
        """The highest id ever read, hard-deleted ones included, so no id is handed out twice."""

    def apply(self, record: StoreRecord) -> None:
        match record:
            case SchemaRecord(subject, version, None):
                self._remove(subject, version)
            case SchemaRecord(subject, version, value) if value is not None:
                self._remove(subject, version)
                entry = SchemaVersion(
                    subject,
                    version,
                    value.schema_id,
                    value.schema,
                    value.schema_type,
                    value.deleted,
                )
                self._add(entry)
            case ConfigRecord(subject, None):
                self._configs.pop(subject, None)
            case ConfigRecord(subject, level) if level is not None:
                self._configs[subject] = level
            case DeleteSubjectRecord(subject, up_to):
                for entry in list(self._subjects.get(subject, {}).values()):
                    if entry.version <= up_to and not entry.deleted:
                        self._remove(subject, entry.version)
                        self._add(_soft_deleted(entry))
            case NoopRecord():
                pass

    def subjects(self, *, deleted: bool = False) -> list[Subject]:
        return sorted(
            subject for subject in self._subjects if self.versions(subject, deleted=deleted)
        )

    def versions(self, subject: Subject, *, deleted: bool = False) -> list[SchemaVersion]:
        """The subject's versions, oldest first; soft-deleted ones only when `deleted`."""
        entries = self._subjects.get(subject, {})
        return [entries[v] for v in sorted(entries) if deleted or not entries[v].deleted]

    def schema(self, schema_id: SchemaId) -> SchemaText | None:
        """What the id stands for, while any version (soft-deleted or not) still uses it."""
        return self._texts.get(schema_id)

    def schema_id(self, canonical: str, schema_type: str) -> SchemaId | None:
        """The id already given to this schema (canonical text), if any version still uses it."""
        return self._ids.get((canonical, schema_type))

    def usages(self, schema_id: SchemaId, *, deleted: bool = False) -> list[SchemaVersion]:
        """Every (subject, version) registered with this id, sorted."""
        found = [self._subjects[s][v] for s, v in sorted(self._users.get(schema_id, ()))]
        return [entry for entry in found if deleted or not entry.deleted]

    def config(self, subject: Subject | None) -> CompatibilityLevel | None:
        return self._configs.get(subject)

    def _add(self, entry: SchemaVersion) -> None:
        self._subjects.setdefault(entry.subject, {})[entry.version] = entry
        self._users.setdefault(entry.schema_id, set()).add((entry.subject, entry.version))
        self._texts.setdefault(entry.schema_id, (entry.schema, entry.schema_type))
        self._ids.setdefault(_identity(entry), entry.schema_id)
        self.max_schema_id = max(self.max_schema_id, entry.schema_id)

    def _remove(self, subject: Subject, version: int) -> None:
        entries = self._subjects.get(subject, {})
        entry = entries.pop(version, None)
        if not entries:
            self._subjects.pop(subject, None)
        if entry is None:
            return
        users = self._users.get(entry.schema_id, set())
        users.discard((subject, version))
        if not users:
            self._users.pop(entry.schema_id, None)
            self._texts.pop(entry.schema_id, None)
            if self._ids.get(_identity(entry)) == entry.schema_id:
                del self._ids[_identity(entry)]


def _soft_deleted(entry: SchemaVersion) -> SchemaVersion:
    return SchemaVersion(
        entry.subject, entry.version, entry.schema_id, entry.schema, entry.schema_type, True
    )


def _identity(entry: SchemaVersion) -> SchemaText:
    """Canonical text, so a schema another registry wrote in its own layout is still found."""
    if entry.schema_type != AVRO:
        return entry.schema, entry.schema_type
    try:
        return parse_stored_schema(entry.schema).text, AVRO
    except InvalidSchemaError:
        return entry.schema, AVRO
