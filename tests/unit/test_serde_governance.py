"""Subject catalog, schema diffs and the explanation of incompatibilities: no registry."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from lienthong.errors import ConfigurationError
from lienthong.serde import (
    AvroSchema,
    ChangeKind,
    CompatibilityLevel,
    Direction,
    FieldChange,
    check_compatibility,
    diff_schemas,
    load_catalog,
    repo_schema,
)
from lienthong.serde.catalog import Catalog
from schemas import DOSSIER_CHANGE

CURRENT = repo_schema(DOSSIER_CHANGE)


def _envelope_fields(schema_json: dict[str, Any]) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = schema_json["fields"][0]["type"]["fields"]
    return fields


def _dossier_fields(schema_json: dict[str, Any]) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = schema_json["fields"][1]["type"][1]["fields"]
    return fields


def _edited(edit: Any) -> AvroSchema:
    schema_json = copy.deepcopy(CURRENT.json)
    edit(schema_json)
    return AvroSchema.from_json(schema_json)


def _field(fields: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(f for f in fields if f["name"] == name)


def test_the_repository_schema_is_self_contained_and_stable() -> None:
    assert CURRENT == repo_schema(DOSSIER_CHANGE)
    assert CURRENT.full_name == DOSSIER_CHANGE
    again = AvroSchema.from_text(json.dumps(CURRENT.json, indent=2))
    assert again == CURRENT, "a released file reads back as the same schema text"
    assert '"vn.lienthong.Envelope"' in CURRENT.text
    assert CURRENT.shape == again.shape


def test_the_diff_names_each_change_by_field_path() -> None:
    def edit(schema_json: dict[str, Any]) -> None:
        envelope, dossier = _envelope_fields(schema_json), _dossier_fields(schema_json)
        envelope.append({"name": "trace_id", "type": ["null", "string"], "default": None})
        envelope.remove(_field(envelope, "causation_id"))
        _field(dossier, "fee_vnd").update(type="double", default=1.5)
        _field(dossier, "status")["doc"] = "Local status."
        operation = _field(envelope, "operation")["type"]
        operation["symbols"] = [*operation["symbols"][:-1], "MERGE"]

    changes = diff_schemas(CURRENT, _edited(edit))
    described = {c.describe() for c in changes}
    assert "+ envelope.trace_id: null | string, default None" in described
    assert "- envelope.causation_id: null | string, default None" in described
    assert "~ envelope.operation: symbols changed: -SNAPSHOT → +MERGE" in described
    assert "~ before.fee_vnd: type changed: long → double" in described
    assert "~ after.fee_vnd: default changed: 0 → 1.5" in described
    assert (
        FieldChange(
            "before.status",
            ChangeKind.DOC,
            CURRENT.json["fields"][1]["type"][1]["fields"][6]["doc"],
            "Local status.",
        )
        in changes
    )


def test_identical_schemas_have_no_diff() -> None:
    assert diff_schemas(CURRENT, repo_schema(DOSSIER_CHANGE)) == []


def test_several_problems_are_each_paired_with_their_field() -> None:
    def edit(schema_json: dict[str, Any]) -> None:
        _envelope_fields(schema_json).append({"name": "a", "type": "string"})
        _envelope_fields(schema_json).append({"name": "b", "type": "long"})

    problems = check_compatibility(_edited(edit), [(1, CURRENT)], CompatibilityLevel.BACKWARD)
    assert [(p.field, p.rule, p.direction) for p in problems] == [
        ("envelope.a", "reader_field_missing_default_value", Direction.BACKWARD),
        ("envelope.b", "reader_field_missing_default_value", Direction.BACKWARD),
    ]


def test_a_new_enum_symbol_is_compatible_because_the_enum_has_a_default() -> None:
    def edit(schema_json: dict[str, Any]) -> None:
        _field(_envelope_fields(schema_json), "operation")["type"]["symbols"].append("MERGE")

    assert check_compatibility(_edited(edit), [(1, CURRENT)], CompatibilityLevel.FULL) == []


def test_the_catalog_finds_a_subject_by_its_name_or_its_record() -> None:
    catalog = load_catalog()
    spec = catalog.find("motcua.dossiers-value")
    assert catalog.find(DOSSIER_CHANGE) == spec
    assert catalog.select([]) == list(catalog)
    with pytest.raises(ConfigurationError, match="neither a subject nor a record"):
        catalog.find("vn.lienthong.Nope")


def test_a_record_under_two_subjects_must_be_named_by_subject() -> None:
    spec = load_catalog().find(DOSSIER_CHANGE)
    twice = Catalog(specs=(spec, spec.model_copy(update={"subject": "motcua.copy-value"})))
    with pytest.raises(ConfigurationError, match="several subjects"):
        twice.find(DOSSIER_CHANGE)


def test_a_malformed_catalog_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "subjects.json"
    path.write_text(
        '{"subjects": {"x-value": {"record": "R", "topic": "x", "compatibility": "MOST"}}}'
    )
    from lienthong.serde.catalog import load_catalog as load

    with pytest.raises(ConfigurationError, match="not a valid subject catalog"):
        load(path)
