"""The seven compatibility levels decide with Apache Avro's reader/writer checker."""

import json
from collections.abc import Mapping

import pytest

from lienthong.registry.avro_schemas import ParsedSchema, parse_schema
from lienthong.registry.compatibility import (
    CompatibilityLevel,
    PreviousSchema,
    incompatibilities,
    parse_level,
)
from lienthong.registry.errors import InvalidCompatibilityLevelError

L = CompatibilityLevel


def record(*fields: Mapping[str, object]) -> ParsedSchema:
    return parse_schema(json.dumps({"type": "record", "name": "Dossier", "fields": list(fields)}))


A = {"name": "a", "type": "int"}
B = {"name": "b", "type": "string"}
B_DEFAULT = {"name": "b", "type": "string", "default": "x"}


def history(*schemas: ParsedSchema) -> list[PreviousSchema]:
    return [PreviousSchema(n, s.text, s.avro) for n, s in enumerate(schemas, start=1)]


def compatible(level: CompatibilityLevel, new: ParsedSchema, *old: ParsedSchema) -> bool:
    return not incompatibilities(level, new.avro, history(*old))


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (L.BACKWARD, False),
        (L.BACKWARD_TRANSITIVE, False),
        (L.FORWARD, True),
        (L.FORWARD_TRANSITIVE, True),
        (L.FULL, False),
        (L.FULL_TRANSITIVE, False),
        (L.NONE, True),
    ],
)
def test_adding_a_field_without_default_breaks_backward(
    level: CompatibilityLevel, expected: bool
) -> None:
    assert compatible(level, record(A, B), record(A)) is expected


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (L.BACKWARD, True),
        (L.BACKWARD_TRANSITIVE, True),
        (L.FORWARD, False),
        (L.FORWARD_TRANSITIVE, False),
        (L.FULL, False),
        (L.FULL_TRANSITIVE, False),
        (L.NONE, True),
    ],
)
def test_removing_a_field_without_default_breaks_forward(
    level: CompatibilityLevel, expected: bool
) -> None:
    assert compatible(level, record(A), record(A, B)) is expected


@pytest.mark.parametrize("level", list(CompatibilityLevel))
def test_adding_a_field_with_a_default_is_compatible_at_every_level(
    level: CompatibilityLevel,
) -> None:
    assert compatible(level, record(A, B_DEFAULT), record(A))


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (L.BACKWARD, True),
        (L.FORWARD, False),
        (L.FULL, False),
        (L.NONE, True),
    ],
)
def test_int_promoted_to_long_is_backward_only(level: CompatibilityLevel, expected: bool) -> None:
    promoted = record({"name": "a", "type": "long"})
    assert compatible(level, promoted, record(A)) is expected


@pytest.mark.parametrize(
    ("level", "old", "new", "expected"),
    [
        # v1 {a}, v2 {a, b="x"}, v3 {a, b}: v3 reads v2, not v1.
        (L.BACKWARD, (record(A), record(A, B_DEFAULT)), record(A, B), True),
        (L.BACKWARD_TRANSITIVE, (record(A), record(A, B_DEFAULT)), record(A, B), False),
        # v1 {a, b}, v2 {a, b="x"}, v3 {a}: v2 reads v3's data, v1 does not.
        (L.FORWARD, (record(A, B), record(A, B_DEFAULT)), record(A), True),
        (L.FORWARD_TRANSITIVE, (record(A, B), record(A, B_DEFAULT)), record(A), False),
        # v1 {a}, v2 {a, b="x"}, v3 {a, b}: both ways with v2, not with v1.
        (L.FULL, (record(A), record(A, B_DEFAULT)), record(A, B), True),
        (L.FULL_TRANSITIVE, (record(A), record(A, B_DEFAULT)), record(A, B), False),
    ],
)
def test_transitive_levels_check_every_version_others_only_the_latest(
    level: CompatibilityLevel,
    old: tuple[ParsedSchema, ...],
    new: ParsedSchema,
    expected: bool,
) -> None:
    assert compatible(level, new, *old) is expected


def test_no_previous_version_is_always_compatible() -> None:
    assert incompatibilities(L.FULL_TRANSITIVE, record(A).avro, []) == []


def test_messages_name_the_problem_the_version_and_the_level() -> None:
    messages = incompatibilities(
        L.BACKWARD, record({"name": "a", "type": "string"}).avro, history(record(A))
    )
    assert messages[0].startswith("{errorType:'TYPE_MISMATCH'")
    assert "/fields/0/type" in messages[0]
    assert "{oldSchemaVersion: 1}" in messages
    assert "{compatibility: 'BACKWARD'}" in messages


def test_messages_cover_both_directions_under_full() -> None:
    messages = incompatibilities(L.FULL, record(A, B).avro, history(record(A)))
    assert any("READER_FIELD_MISSING_DEFAULT_VALUE" in m for m in messages)


@pytest.mark.parametrize("text", ["full", "Backward_Transitive", " NONE "])
def test_levels_parse_in_any_case(text: str) -> None:
    assert parse_level(text) is CompatibilityLevel(text.strip().upper())


@pytest.mark.parametrize("value", ["FULLEST", "", None, 3])
def test_unknown_levels_are_42203(value: object) -> None:
    with pytest.raises(InvalidCompatibilityLevelError) as raised:
        parse_level(value)
    assert raised.value.error_code == 42203
