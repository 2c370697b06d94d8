"""The evolution gate: every subject's schema in the repository may follow its released versions.

`schemas/subjects.json` gives each subject's compatibility level; `schemas/released/` holds
what was published. A change that breaks the level fails here, naming the field and the rule;
`lienthong schemas release NAME` writes the next version once it passes.
"""

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import avro.schema
import pytest
from fastavro import parse_schema

from lienthong.ids import Subject, TopicName
from lienthong.serde import (
    AvroSchema,
    CompatibilityLevel,
    IncompatibleChangeError,
    ReleasedSchemas,
    SubjectSpec,
    load_catalog,
    repo_schema,
    subject_name,
)
from lienthong.settings import SubjectNameStrategy
from schemas import DOSSIER_CHANGE, TOP_LEVEL

CATALOG = load_catalog()
RELEASED = ReleasedSchemas()
SPECS = {spec.subject: spec for spec in CATALOG}
FieldsEdit = Callable[[list[dict[str, Any]]], None]


def test_every_top_level_record_has_a_subject() -> None:
    declared = {spec.record for spec in CATALOG}
    missing = [record for record in TOP_LEVEL if record not in declared]
    assert not missing, (
        f"{missing} travel on topics but have no subject: declare them in "
        "schemas/subjects.json and run `lienthong schemas release NAME`"
    )


@pytest.mark.parametrize("subject", sorted(SPECS))
def test_subjects_follow_the_topic_name_strategy(subject: Subject) -> None:
    spec = SPECS[subject]
    assert spec.subject == subject_name(SubjectNameStrategy.TOPIC_NAME, spec.topic, spec.record)
    assert spec.record in TOP_LEVEL


@pytest.mark.parametrize("subject", sorted(SPECS))
def test_every_subject_is_released_in_self_contained_files(subject: Subject) -> None:
    versions = RELEASED.versions(subject)
    assert versions[:1] == [1], f"{subject} has no v1: run `lienthong schemas release {subject}`"
    assert versions == list(range(1, len(versions) + 1)), f"{subject}: a version is missing"
    for version in versions:
        text = RELEASED.path(subject, version).read_text(encoding="utf-8")
        # Alone, with no other file to resolve names from, as a registry holds it.
        assert parse_schema(json.loads(text))["name"] == SPECS[subject].record
        assert avro.schema.parse(text).fullname == SPECS[subject].record


@pytest.mark.parametrize("subject", sorted(SPECS))
def test_the_repository_schema_may_follow_every_release(subject: Subject) -> None:
    spec = SPECS[subject]
    refused = RELEASED.check(spec, repo_schema(spec.record))
    assert refused is None, str(refused)


@pytest.mark.parametrize("subject", sorted(SPECS))
def test_each_release_may_follow_the_ones_before_it(subject: Subject) -> None:
    history = RELEASED.history(subject)
    for n, release in enumerate(history):
        store = _store_of(history[:n])
        refused = store.check(SPECS[subject], release.schema)
        assert refused is None, f"{release.label}: {refused}"


def _enums(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [enum for item in node for enum in _enums(item)]
    if not isinstance(node, dict):
        return []
    found = [node] if node.get("type") == "enum" else []
    return found + [enum for value in node.values() for enum in _enums(value)]


@pytest.mark.parametrize("subject", sorted(SPECS))
def test_every_enum_has_a_default_so_a_new_symbol_stays_compatible(subject: Subject) -> None:
    enums = _enums(repo_schema(SPECS[subject].record).json)
    assert [e["name"] for e in enums if "default" not in e] == []


# The gate can fail: edits of the dossier schema it must refuse, and the words it uses.

SPEC = SubjectSpec(
    subject=Subject("motcua.dossiers-value"),
    record=DOSSIER_CHANGE,
    topic=TopicName("motcua.dossiers"),
    compatibility=CompatibilityLevel.FULL_TRANSITIVE,
)
CURRENT = repo_schema(DOSSIER_CHANGE)


@pytest.fixture
def store(tmp_path: Path) -> ReleasedSchemas:
    released = ReleasedSchemas(tmp_path / "released")
    assert released.release(SPEC, CURRENT).created
    return released


def _edited(schema: AvroSchema, record: str, edit: FieldsEdit) -> AvroSchema:
    schema_json = copy.deepcopy(schema.json)

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            if node.get("name") == record and "fields" in node:
                edit(node["fields"])
            for value in node.values():
                visit(value)

    visit(schema_json)
    return AvroSchema.from_json(schema_json)


def _drop(name: str) -> FieldsEdit:
    return lambda fields: fields.remove(next(f for f in fields if f["name"] == name))


def _add(field: dict[str, Any]) -> FieldsEdit:
    return lambda fields: fields.append(field)


def _retype(name: str, type_: Any, default: Any) -> FieldsEdit:
    def edit(fields: list[dict[str, Any]]) -> None:
        field = next(f for f in fields if f["name"] == name)
        field["type"], field["default"] = type_, default

    return edit


def _store_of(releases: list[Any]) -> ReleasedSchemas:
    class Frozen(ReleasedSchemas):
        def history(self, subject: Subject) -> list[Any]:
            return list(releases)

    return Frozen(Path("/nonexistent"))


@pytest.mark.parametrize(
    ("record", "edit", "expected"),
    [
        (
            "vn.lienthong.Envelope",
            _add({"name": "trace_id", "type": "string", "doc": "required, no default"}),
            "the new schema cannot read data written with v1: field envelope.trace_id: "
            "rule reader_field_missing_default_value",
        ),
        (
            "vn.lienthong.motcua.Dossier",
            _drop("status"),
            "consumers on v1 cannot read data written with the new schema: field before.status: "
            "rule reader_field_missing_default_value: "
            "the new schema drops a field that v1 requires",
        ),
        (
            "vn.lienthong.motcua.Dossier",
            _retype("fee_vnd", "string", "0"),
            "field after.fee_vnd: rule type_mismatch (reader type: string not compatible with "
            "writer type: long)",
        ),
    ],
    ids=["new-required-field", "dropped-required-field", "changed-type"],
)
def test_the_gate_refuses_an_incompatible_edit_naming_field_and_rule(
    store: ReleasedSchemas, record: str, edit: FieldsEdit, expected: str
) -> None:
    edited = _edited(CURRENT, record, edit)
    with pytest.raises(IncompatibleChangeError) as refused:
        store.release(SPEC, edited)
    message = str(refused.value)
    assert message.startswith("motcua.dossiers-value must stay FULL_TRANSITIVE-compatible")
    assert expected in message
    assert store.versions(SPEC.subject) == [1], "nothing is written when the gate refuses"


def test_the_gate_releases_an_optional_field_as_v2(store: ReleasedSchemas) -> None:
    optional = {"name": "trace_id", "type": ["null", "string"], "default": None, "doc": "optional"}
    edited = _edited(CURRENT, "vn.lienthong.Envelope", _add(optional))
    release = store.release(SPEC, edited)
    assert (release.version, release.created) == (2, True)
    assert store.read(SPEC.subject, 2).schema == edited
    assert not store.release(SPEC, edited).created, "releasing again changes nothing"


def test_transitive_levels_check_every_release_not_only_the_latest(store: ReleasedSchemas) -> None:
    # v2 drops an optional field; v3 brings it back as a long: fine beside v2, not beside v1.
    v2 = _edited(CURRENT, "vn.lienthong.Envelope", _drop("correlation_id"))
    store.release(SPEC, v2)
    v3 = _edited(
        v2, "vn.lienthong.Envelope", _add({"name": "correlation_id", "type": "long", "default": 0})
    )
    latest_only = SPEC.model_copy(update={"compatibility": CompatibilityLevel.FULL})
    assert store.check(latest_only, v3) is None
    refused = store.check(SPEC, v3)
    assert refused is not None
    assert {p.against for p in refused.problems} == {"v1"}
    assert {p.field for p in refused.problems} == {"envelope.correlation_id"}


def test_a_backward_level_lets_the_new_schema_drop_a_required_field(store: ReleasedSchemas) -> None:
    backward = SPEC.model_copy(update={"compatibility": CompatibilityLevel.BACKWARD_TRANSITIVE})
    dropped = _edited(CURRENT, "vn.lienthong.motcua.Dossier", _drop("status"))
    assert store.check(backward, dropped) is None
    assert store.check(SPEC, dropped) is not None
