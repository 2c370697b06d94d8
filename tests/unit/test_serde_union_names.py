"""Records in unions are named before writing: the bytes stay exactly fastavro's own."""

from io import BytesIO
from typing import Any

from fastavro import parse_schema, schemaless_writer

from lienthong.serde import repo_schema
from lienthong.serde.union_names import union_namer
from schemas import DOSSIER_CHANGE
from tests.factories import dossier_change


def _written(parsed: Any, record: Any) -> bytes:
    buffer = BytesIO()
    schemaless_writer(buffer, parsed, record)
    return buffer.getvalue()


def test_a_named_change_event_writes_the_same_bytes() -> None:
    parsed = repo_schema(DOSSIER_CHANGE).parsed
    namer = union_namer(parsed)
    assert namer is not None
    for record in (
        dossier_change("000.00.00.H41-250701-0001", 1).to_avro(),
        {**dossier_change("000.00.00.H41-250701-0002", 2).to_avro(), "before": None},
    ):
        named = namer(record)
        assert named["after"][0] == "vn.lienthong.motcua.Dossier"
        assert _written(parsed, named) == _written(parsed, record)


def test_a_recursive_record_is_named_once_and_left_to_the_writer_below() -> None:
    parsed = parse_schema(
        {
            "type": "record",
            "name": "Node",
            "fields": [
                {"name": "value", "type": "long"},
                {"name": "next", "type": ["null", "Node"]},
            ],
        }
    )
    namer = union_namer(parsed)
    record = {"value": 1, "next": {"value": 2, "next": {"value": 3, "next": None}}}
    named = namer(record) if namer is not None else record
    assert _written(parsed, named) == _written(parsed, record)


def test_unions_of_several_records_and_values_not_dicts_are_left_alone() -> None:
    parsed = parse_schema(
        {
            "type": "record",
            "name": "Outer",
            "fields": [
                {
                    "name": "either",
                    "type": [
                        "null",
                        {"type": "record", "name": "A", "fields": [{"name": "a", "type": "int"}]},
                        {"type": "record", "name": "B", "fields": [{"name": "b", "type": "int"}]},
                    ],
                },
                {"name": "plain", "type": ["null", "string"]},
            ],
        }
    )
    assert union_namer(parsed) is None
