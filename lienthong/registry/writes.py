"""What each write request means for the schemas topic, decided from the state alone.

Pure functions: given the state the writer just caught up with, a request either fails with
a registry error (nothing is written) or becomes a `Decision`: the answer for the client and
the records that make it true. The store runs them inside its write protocol.
"""

from dataclasses import dataclass
from typing import Generic, TypeVar

from lienthong.ids import SchemaId, Subject
from lienthong.registry.avro_schemas import AVRO, ParsedSchema
from lienthong.registry.compatibility import CompatibilityLevel, incompatibilities
from lienthong.registry.errors import (
    IncompatibleSchemaError,
    SubjectNotFoundError,
    SubjectNotSoftDeletedError,
    SubjectSoftDeletedError,
    VersionNotFoundError,
    VersionNotSoftDeletedError,
    VersionSoftDeletedError,
)
from lienthong.registry.reads import LATEST, effective_level, previous_schema
from lienthong.registry.records import (
    ConfigRecord,
    DeleteSubjectRecord,
    SchemaRecord,
    SchemaValue,
    StoreRecord,
)
from lienthong.registry.state import RegistryState, SchemaVersion

__all__ = [
    "Decision",
    "delete_config",
    "delete_subject",
    "delete_version",
    "register_schema",
    "set_config",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Decision(Generic[T]):
    result: T
    records: tuple[StoreRecord, ...] = ()
    """Written in one transaction; none when the state already says what the client asked."""


def register_schema(
    state: RegistryState, subject: Subject, schema: ParsedSchema, default: CompatibilityLevel
) -> Decision[SchemaVersion]:
    """The live version holding this schema, else a new version (reusing the schema's global
    id when another subject has it) once the subject's compatibility level allows it."""
    known_id = state.schema_id(schema.text, AVRO)
    live = state.versions(subject)
    for entry in reversed(live):
        if entry.schema_id == known_id:
            return Decision(entry)
    level = effective_level(state, subject, default)
    problems = incompatibilities(level, schema.avro, [previous_schema(e) for e in live])
    if problems:
        raise IncompatibleSchemaError(
            "Schema being registered is incompatible with an earlier schema for subject "
            f'"{subject}", details: [{", ".join(problems)}]'
        )
    known = state.schema(known_id) if known_id is not None else None
    schema_id = known_id if known_id is not None else SchemaId(state.max_schema_id + 1)
    text = known[0] if known is not None else schema.text
    history = state.versions(subject, deleted=True)
    version = history[-1].version + 1 if history else 1
    entry = SchemaVersion(subject, version, schema_id, text, AVRO, False)
    return Decision(entry, (SchemaRecord(subject, version, SchemaValue(schema_id, text)),))


def delete_subject(
    state: RegistryState, subject: Subject, *, permanent: bool
) -> Decision[list[int]]:
    """Soft: one DELETE_SUBJECT record; permanent (after a soft delete): a tombstone a version."""
    history = state.versions(subject, deleted=True)
    if not history:
        raise SubjectNotFoundError(subject)
    live = [entry.version for entry in history if not entry.deleted]
    if not permanent:
        if not live:
            raise SubjectSoftDeletedError(subject)
        return Decision(live, (DeleteSubjectRecord(subject, live[-1]),))
    if live:
        raise SubjectNotSoftDeletedError(subject)
    records: list[StoreRecord] = [SchemaRecord(subject, e.version, None) for e in reversed(history)]
    if state.config(subject) is not None:
        records.append(ConfigRecord(subject, None))
    return Decision([entry.version for entry in history], tuple(records))


def delete_version(
    state: RegistryState, subject: Subject, version: int | None, *, permanent: bool
) -> Decision[int]:
    """Soft: the version rewritten with `deleted: true`; permanent (after that): a tombstone."""
    history = state.versions(subject, deleted=True)
    if not history:
        raise SubjectNotFoundError(subject)
    if version is LATEST:
        candidates = history if permanent else [e for e in history if not e.deleted]
        target = candidates[-1] if candidates else None
    else:
        target = next((entry for entry in history if entry.version == version), None)
    if target is None:
        raise VersionNotFoundError("latest" if version is LATEST else version)
    if not permanent:
        if target.deleted:
            raise VersionSoftDeletedError(subject, target.version)
        value = SchemaValue(target.schema_id, target.schema, True, target.schema_type)
        return Decision(target.version, (SchemaRecord(subject, target.version, value),))
    if not target.deleted:
        raise VersionNotSoftDeletedError(subject, target.version)
    records: list[StoreRecord] = [SchemaRecord(subject, target.version, None)]
    if len(history) == 1 and state.config(subject) is not None:
        records.append(ConfigRecord(subject, None))
    return Decision(target.version, tuple(records))


def set_config(
    state: RegistryState, subject: Subject | None, level: CompatibilityLevel
) -> Decision[CompatibilityLevel]:
    """The subject's level (None: the global one); the subject need not exist yet."""
    return Decision(level, (ConfigRecord(subject, level),))


def delete_config(
    state: RegistryState, subject: Subject | None, default: CompatibilityLevel
) -> Decision[CompatibilityLevel]:
    """Removes the subject's (or the global) level; the answer is the level it had."""
    current = state.config(subject)
    if subject is None:
        records = () if current is None else (ConfigRecord(None, None),)
        return Decision(current or default, records)
    if current is None:
        raise SubjectNotFoundError(subject)
    return Decision(current, (ConfigRecord(subject, None),))
