"""Write decisions and the state they lead to, without Kafka: a decision's records are applied
to the state exactly as the reader would apply them after reading them back."""

import json
from typing import TypeVar

import pytest

from lienthong.ids import SchemaId, Subject
from lienthong.registry.avro_schemas import ParsedSchema, parse_schema
from lienthong.registry.compatibility import CompatibilityLevel
from lienthong.registry.errors import (
    IncompatibleSchemaError,
    RegistryError,
    SchemaNotFoundError,
    SubjectCompatibilityNotConfiguredError,
    SubjectNotFoundError,
    SubjectNotSoftDeletedError,
    SubjectSoftDeletedError,
    VersionNotFoundError,
    VersionNotSoftDeletedError,
    VersionSoftDeletedError,
)
from lienthong.registry.reads import (
    LATEST,
    find_schema,
    lookup_schema,
    subject_level,
    subject_version,
)
from lienthong.registry.records import SchemaRecord, SchemaValue, decode_record, encode_record
from lienthong.registry.state import RegistryState
from lienthong.registry.writes import (
    Decision,
    delete_config,
    delete_subject,
    delete_version,
    register_schema,
    set_config,
)

BACKWARD = CompatibilityLevel.BACKWARD
S, T = Subject("s-value"), Subject("t-value")
R = TypeVar("R")


def schema(*fields: str) -> ParsedSchema:
    body = [{"name": name, "type": "string", "default": ""} for name in fields]
    return parse_schema(json.dumps({"type": "record", "name": "R", "fields": body}))


def commit(state: RegistryState, decision: Decision[R]) -> R:
    """What the store does after a commit: the records come back through the topic."""
    for record in decision.records:
        decoded = decode_record(*encode_record(record))
        assert decoded is not None
        state.apply(decoded)
    return decision.result


def register(state: RegistryState, subject: Subject, parsed: ParsedSchema) -> tuple[int, int]:
    entry = commit(state, register_schema(state, subject, parsed, BACKWARD))
    return entry.schema_id, entry.version


def test_ids_and_versions_count_up_and_the_same_schema_keeps_its_id() -> None:
    state = RegistryState()
    assert register(state, S, schema("a")) == (1, 1)
    assert register(state, S, schema("a", "b")) == (2, 2)
    again = register_schema(state, S, schema("a", "b"), BACKWARD)
    assert again.records == () and (again.result.schema_id, again.result.version) == (2, 2)


def test_the_same_schema_under_another_subject_reuses_its_global_id() -> None:
    state = RegistryState()
    register(state, S, schema("a"))
    register(state, S, schema("a", "b"))
    assert register(state, T, schema("a", "b")) == (2, 1)
    assert [(e.subject, e.version) for e in state.usages(SchemaId(2))] == [(S, 2), (T, 1)]


def test_formatting_does_not_make_a_new_schema() -> None:
    state = RegistryState()
    register(state, S, parse_schema('{"type": "string"}'))
    assert register(state, S, parse_schema('"string"')) == (1, 1)


def test_an_incompatible_schema_is_refused_and_nothing_is_written() -> None:
    state = RegistryState()
    register(state, S, schema("a"))
    breaking = parse_schema(
        json.dumps(
            {"type": "record", "name": "R", "fields": [{"name": "z", "type": "int"}]},
        )
    )
    with pytest.raises(IncompatibleSchemaError, match='subject "s-value"'):
        register_schema(state, S, breaking, BACKWARD)
    commit(state, set_config(state, S, CompatibilityLevel.NONE))
    assert register(state, S, breaking) == (2, 2)


def test_soft_delete_then_hard_delete_of_a_subject() -> None:
    state = RegistryState()
    register(state, S, schema("a"))
    register(state, S, schema("a", "b"))
    with pytest.raises(SubjectNotSoftDeletedError):
        delete_subject(state, S, permanent=True)
    assert commit(state, delete_subject(state, S, permanent=False)) == [1, 2]
    assert state.subjects() == [] and state.subjects(deleted=True) == [S]
    with pytest.raises(SubjectNotFoundError):
        subject_version(state, S, LATEST)
    assert find_schema(state, SchemaId(1))[0] == schema("a").text  # readers still resolve it
    with pytest.raises(SubjectSoftDeletedError):
        delete_subject(state, S, permanent=False)
    assert commit(state, delete_subject(state, S, permanent=True)) == [1, 2]
    assert state.subjects(deleted=True) == []
    with pytest.raises(SchemaNotFoundError):
        find_schema(state, SchemaId(1))
    with pytest.raises(SubjectNotFoundError):
        delete_subject(state, S, permanent=False)


def test_versions_continue_after_a_soft_delete_and_restart_after_a_hard_one() -> None:
    state = RegistryState()
    register(state, S, schema("a"))
    commit(state, delete_subject(state, S, permanent=False))
    assert register(state, S, schema("a")) == (1, 2)  # same schema, same id, next version
    commit(state, delete_subject(state, S, permanent=False))
    commit(state, delete_subject(state, S, permanent=True))
    assert register(state, S, schema("x")) == (2, 1)  # a hard-deleted id is never reused


def test_soft_then_hard_delete_of_one_version() -> None:
    state = RegistryState()
    register(state, S, schema("a"))
    register(state, S, schema("a", "b"))
    with pytest.raises(VersionNotSoftDeletedError):
        delete_version(state, S, 1, permanent=True)
    assert commit(state, delete_version(state, S, LATEST, permanent=False)) == 2
    assert subject_version(state, S, LATEST).version == 1
    with pytest.raises(VersionSoftDeletedError):
        delete_version(state, S, 2, permanent=False)
    with pytest.raises(VersionNotFoundError):
        subject_version(state, S, 2)
    assert subject_version(state, S, 2, deleted=True).deleted
    assert commit(state, delete_version(state, S, 2, permanent=True)) == 2
    with pytest.raises(VersionNotFoundError):
        delete_version(state, S, 2, permanent=True)
    assert [e.version for e in state.versions(S, deleted=True)] == [1]


def test_lookup_finds_the_version_holding_the_schema() -> None:
    state = RegistryState()
    register(state, S, schema("a"))
    register(state, S, schema("a", "b"))
    assert lookup_schema(state, S, schema("a")).version == 1
    with pytest.raises(SchemaNotFoundError):
        lookup_schema(state, S, schema("c"))
    with pytest.raises(SubjectNotFoundError):
        lookup_schema(state, T, schema("a"))


def test_config_per_subject_falls_back_to_global_only_when_asked() -> None:
    state = RegistryState()
    with pytest.raises(SubjectCompatibilityNotConfiguredError):
        subject_level(state, S, default_to_global=False, default=BACKWARD)
    assert subject_level(state, S, default_to_global=True, default=BACKWARD) is BACKWARD
    commit(state, set_config(state, None, CompatibilityLevel.FULL))
    commit(state, set_config(state, S, CompatibilityLevel.NONE))
    assert subject_level(state, S, default_to_global=False, default=BACKWARD).value == "NONE"
    assert commit(state, delete_config(state, S, BACKWARD)) is CompatibilityLevel.NONE
    assert subject_level(state, S, default_to_global=True, default=BACKWARD).value == "FULL"
    with pytest.raises(SubjectNotFoundError):
        delete_config(state, S, BACKWARD)
    assert commit(state, delete_config(state, None, BACKWARD)) is CompatibilityLevel.FULL
    assert state.config(None) is None


def test_a_replayed_topic_keeps_the_highest_id_even_once_its_record_is_gone() -> None:
    state = RegistryState()
    state.apply(SchemaRecord(S, 1, SchemaValue(SchemaId(41), schema("a").text)))
    state.apply(SchemaRecord(S, 1, None))
    assert register(state, T, schema("b")) == (42, 1)


def test_errors_carry_confluents_codes() -> None:
    state = RegistryState()
    with pytest.raises(RegistryError) as raised:
        subject_version(state, S, 1)
    assert raised.value.error_code == 40401
