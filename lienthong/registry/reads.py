"""Answers from the registry's state, with Confluent's errors when there is nothing to answer."""

from typing import Final

from lienthong.ids import SchemaId, Subject
from lienthong.registry.avro_schemas import AVRO, ParsedSchema, parse_stored_schema
from lienthong.registry.compatibility import CompatibilityLevel, PreviousSchema, incompatibilities
from lienthong.registry.errors import (
    InvalidVersionError,
    SchemaNotFoundError,
    SubjectCompatibilityNotConfiguredError,
    SubjectNotFoundError,
    VersionNotFoundError,
)
from lienthong.registry.state import RegistryState, SchemaText, SchemaVersion

__all__ = [
    "LATEST",
    "compatibility_with_subject",
    "compatibility_with_version",
    "effective_level",
    "find_schema",
    "lookup_schema",
    "parse_version",
    "previous_schema",
    "schema_usages",
    "subject_level",
    "subject_version",
    "subject_versions",
]

LATEST: Final = None
"""The version spec "latest" (or -1): the highest version still live."""
_MAX_VERSION: Final = 2**31 - 1


def parse_version(text: str) -> int | None:
    """A version from a URL: 1..2^31-1, or LATEST for "latest" and -1; 42202 otherwise."""
    if text == "latest":
        return LATEST
    try:
        version = int(text)
    except ValueError:
        raise InvalidVersionError(text) from None
    if version == -1:
        return LATEST
    if not 1 <= version <= _MAX_VERSION:
        raise InvalidVersionError(text)
    return version


def subject_versions(
    state: RegistryState, subject: Subject, *, deleted: bool = False
) -> list[SchemaVersion]:
    versions = state.versions(subject, deleted=deleted)
    if not versions:
        raise SubjectNotFoundError(subject)
    return versions


def subject_version(
    state: RegistryState, subject: Subject, version: int | None, *, deleted: bool = False
) -> SchemaVersion:
    versions = subject_versions(state, subject, deleted=deleted)
    if version is LATEST:
        return versions[-1]
    for entry in versions:
        if entry.version == version:
            return entry
    raise VersionNotFoundError(version)


def find_schema(state: RegistryState, schema_id: SchemaId) -> SchemaText:
    found = state.schema(schema_id)
    if found is None:
        raise SchemaNotFoundError(schema_id)
    return found


def schema_usages(
    state: RegistryState, schema_id: SchemaId, *, deleted: bool = False
) -> list[SchemaVersion]:
    find_schema(state, schema_id)
    return state.usages(schema_id, deleted=deleted)


def lookup_schema(
    state: RegistryState, subject: Subject, schema: ParsedSchema, *, deleted: bool = False
) -> SchemaVersion:
    """The subject's latest version holding this very schema (`POST /subjects/{subject}`)."""
    versions = subject_versions(state, subject, deleted=deleted)
    schema_id = state.schema_id(schema.text, AVRO)
    for entry in reversed(versions):
        if entry.schema_id == schema_id:
            return entry
    raise SchemaNotFoundError()


def effective_level(
    state: RegistryState, subject: Subject, default: CompatibilityLevel
) -> CompatibilityLevel:
    """The subject's level, else the global one, else the configured default."""
    return state.config(subject) or state.config(None) or default


def subject_level(
    state: RegistryState,
    subject: Subject,
    *,
    default_to_global: bool,
    default: CompatibilityLevel,
) -> CompatibilityLevel:
    level = state.config(subject)
    if level is not None:
        return level
    if default_to_global:
        return state.config(None) or default
    raise SubjectCompatibilityNotConfiguredError(subject)


def previous_schema(entry: SchemaVersion) -> PreviousSchema:
    return PreviousSchema(entry.version, entry.schema, parse_stored_schema(entry.schema).avro)


def compatibility_with_version(
    state: RegistryState,
    subject: Subject,
    schema: ParsedSchema,
    version: int | None,
    default: CompatibilityLevel,
) -> list[str]:
    """Problems of `schema` against one live version (LATEST: none yet is fine)."""
    live = state.versions(subject)
    if version is LATEST:
        against = live[-1:]
    else:
        subject_versions(state, subject, deleted=True)
        against = [entry for entry in live if entry.version == version]
        if not against:
            raise VersionNotFoundError(version)
    level = effective_level(state, subject, default)
    return incompatibilities(level, schema.avro, [previous_schema(e) for e in against])


def compatibility_with_subject(
    state: RegistryState, subject: Subject, schema: ParsedSchema, default: CompatibilityLevel
) -> list[str]:
    """Problems of `schema` against the live versions its level compares it with."""
    level = effective_level(state, subject, default)
    previous = [previous_schema(entry) for entry in state.versions(subject)]
    return incompatibilities(level, schema.avro, previous)
