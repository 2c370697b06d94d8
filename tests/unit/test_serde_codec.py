"""The serializer and deserializer against an in-memory registry: no I/O."""

import copy
from decimal import Decimal
from typing import Any

import pytest
from fastavro import parse_schema

from lienthong.ids import SchemaId, Subject, TopicName
from lienthong.serde import (
    AvroDeserializer,
    AvroSchema,
    AvroSerializer,
    InMemoryRegistry,
    PayloadError,
    RecordMismatchError,
    SchemaNotFoundError,
    SchemaNotRegisteredError,
    SerializerUsageError,
    UnresolvedSchemaError,
    frame,
    repo_schema,
    unframe,
)
from lienthong.serde.errors import ResolutionError
from lienthong.serde.mismatch import find_mismatch
from schemas import DOSSIER_CHANGE
from tests.factories import dossier_change

TOPIC = TopicName("motcua.dossiers")
SUBJECT = Subject("motcua.dossiers-value")
SCHEMA = repo_schema(DOSSIER_CHANGE)


def _record(version: int = 3) -> dict[str, Any]:
    return dossier_change("000.00.00.H41-250701-0001", version).to_avro()


async def _serializer(registry: InMemoryRegistry, **options: Any) -> AvroSerializer:
    serializer = AvroSerializer(registry, SCHEMA, **options)
    await serializer.prepare(TOPIC)
    return serializer


def _edited(schema: AvroSchema, record: str, edit: Any) -> AvroSchema:
    """A copy of `schema` with `edit(fields)` applied to the named record's field list."""
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


async def test_a_record_survives_encode_and_decode() -> None:
    registry = InMemoryRegistry()
    serializer = await _serializer(registry)
    deserializer = AvroDeserializer(registry, reader=SCHEMA)
    data = serializer.encode(_record())
    assert unframe(data).schema_id == serializer.schema_id == SchemaId(1)
    decoded = await deserializer.decode_async(data)
    assert type(dossier_change("x", 1)).from_avro(decoded).to_avro()["after"] == _record()["after"]


async def test_prepare_registers_once_under_the_topic_subject() -> None:
    registry = InMemoryRegistry()
    serializer = await _serializer(registry)
    assert await serializer.prepare(TOPIC) == serializer.schema_id
    for version in range(1, 50):
        serializer.encode(_record(version))
    assert serializer.subject == SUBJECT
    assert registry.versions(SUBJECT) == [serializer.schema_id]
    assert registry.calls == {"register": 1}


async def test_lookup_only_finds_a_registered_schema_and_never_registers() -> None:
    registry = InMemoryRegistry()
    await registry.register(SUBJECT, SCHEMA)
    serializer = await _serializer(registry, auto_register=False)
    assert serializer.schema_id == SchemaId(1)
    assert registry.calls["register"] == 1


async def test_lookup_only_refuses_an_unregistered_schema_with_the_fix() -> None:
    serializer = AvroSerializer(InMemoryRegistry(), SCHEMA, auto_register=False)
    with pytest.raises(SchemaNotRegisteredError, match="lienthong schemas register") as caught:
        await serializer.prepare(TOPIC)
    assert caught.value.subject == SUBJECT


async def test_encode_before_prepare_and_a_second_subject_are_code_errors() -> None:
    serializer = AvroSerializer(InMemoryRegistry(), SCHEMA)
    with pytest.raises(SerializerUsageError, match="prepare"):
        serializer.encode(_record())
    await serializer.prepare(TOPIC)
    with pytest.raises(SerializerUsageError, match=r"other\.topic-value"):
        await serializer.prepare(TopicName("other.topic"))


def _steps_without_action(record: dict[str, Any]) -> None:
    del record["after"]["steps"][1]["action"]


@pytest.mark.parametrize(
    ("spoil", "field", "problem"),
    [
        (
            _steps_without_action,
            "after.steps[1].action",
            "missing, and the schema gives no default",
        ),
        (
            lambda r: r["envelope"].update(entity_version="7"),
            "envelope.entity_version",
            "'7' (str) is not long",
        ),
        (
            lambda r: r["envelope"].update(operation="MERGE"),
            "envelope.operation",
            "'MERGE' is not one of",
        ),
        (
            lambda r: r["after"].update(due_at="soon"),
            "after.due_at",
            "'soon' (str) is not long (timestamp-millis)",
        ),
        (
            lambda r: r["after"]["applicant"].update(name=None),
            "after.applicant.name",
            "None (NoneType) is not string",
        ),
        (lambda r: r.update(envelope="oops"), "envelope", "is not a vn.lienthong.Envelope record"),
    ],
)
async def test_a_record_that_does_not_match_names_the_field(
    spoil: Any, field: str, problem: str
) -> None:
    serializer = await _serializer(InMemoryRegistry())
    good = _record()
    expected = serializer.encode(good)
    record = copy.deepcopy(good)
    spoil(record)
    with pytest.raises(RecordMismatchError) as caught:
        serializer.encode(record)
    assert caught.value.field == field
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"record does not match {DOSSIER_CHANGE}: field {field}:")
    # The buffer is reused: a failed record leaves nothing behind for the next one.
    assert serializer.encode(good) == expected


async def test_validate_catches_what_the_writer_would_convert() -> None:
    record = _record()
    record["envelope"]["entity_version"] = 2.5
    (await _serializer(InMemoryRegistry())).encode(record)  # fastavro truncates it silently
    strict = await _serializer(InMemoryRegistry(), validate=True)
    with pytest.raises(
        RecordMismatchError, match=r"envelope.entity_version: 2.5 \(float\) is not long"
    ):
        strict.encode(record)


async def test_decode_fetches_an_unseen_writer_id_once() -> None:
    registry = InMemoryRegistry()
    serializer = await _serializer(registry)
    deserializer = AvroDeserializer(registry, reader=SCHEMA)
    values = [serializer.encode(_record(v)) for v in range(1, 20)]
    with pytest.raises(UnresolvedSchemaError, match=r"resolve\(data\)"):
        deserializer.decode(values[0])
    for value in values:
        await deserializer.resolve(value)
        deserializer.decode(value)
    assert registry.calls["schema_by_id"] == 1


async def test_an_unknown_schema_id_is_the_registrys_40403() -> None:
    deserializer = AvroDeserializer(InMemoryRegistry(), reader=SCHEMA)
    with pytest.raises(SchemaNotFoundError, match="schema id 42 not found") as caught:
        await deserializer.decode_async(frame(SchemaId(42), b"\x00"))
    assert caught.value.error_code == 40403


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda data: data[:-4], "truncated or garbled"),
        (lambda data: data[:9], "truncated or garbled"),
        (lambda data: data + b"\x00\x00", "garbled: 2 bytes left after the record"),
        (lambda data: data[:5] + b"\xff" * 40, "truncated or garbled"),
    ],
)
async def test_a_truncated_or_garbled_payload_is_a_payload_error(spoil: Any, message: str) -> None:
    registry = InMemoryRegistry()
    data = (await _serializer(registry)).encode(_record())
    deserializer = AvroDeserializer(registry, reader=SCHEMA)
    await deserializer.resolve(data)
    with pytest.raises(PayloadError, match=message) as caught:
        deserializer.decode(spoil(data))
    assert caught.value.schema_id == SchemaId(1)
    assert f"schema id 1 ({DOSSIER_CHANGE})" in str(caught.value)


async def test_an_old_writer_is_read_into_the_current_shape() -> None:
    """v1 had no `fee_vnd` and no `signature_key_id`: the reader fills in their defaults."""
    old = _edited(
        SCHEMA,
        "vn.lienthong.motcua.Dossier",
        lambda fields: fields.pop(next(i for i, f in enumerate(fields) if f["name"] == "fee_vnd")),
    )
    old = _edited(
        old,
        "vn.lienthong.Envelope",
        lambda fields: fields.pop(
            next(i for i, f in enumerate(fields) if f["name"] == "correlation_id")
        ),
    )
    registry = InMemoryRegistry()
    old_writer = AvroSerializer(registry, old)
    await old_writer.prepare(TOPIC)
    record = _record()
    del record["after"]["fee_vnd"], record["envelope"]["correlation_id"]
    data = old_writer.encode(record)

    decoded = await AvroDeserializer(registry, reader=SCHEMA).decode_async(data)
    assert decoded["after"]["fee_vnd"] == 0
    assert decoded["envelope"]["correlation_id"] is None
    assert decoded["after"]["dossier_no"] == record["after"]["dossier_no"]
    as_written = await AvroDeserializer(registry).decode_async(data)
    assert "fee_vnd" not in as_written["after"]


async def test_a_newer_writers_extra_field_is_dropped_for_an_older_reader() -> None:
    newer = _edited(
        SCHEMA,
        "vn.lienthong.Envelope",
        lambda fields: fields.append(
            {"name": "trace_id", "type": ["null", "string"], "default": None}
        ),
    )
    registry = InMemoryRegistry()
    writer = AvroSerializer(registry, newer)
    await writer.prepare(TOPIC)
    record = _record()
    record["envelope"]["trace_id"] = "abc"
    decoded = await AvroDeserializer(registry, reader=SCHEMA).decode_async(writer.encode(record))
    assert "trace_id" not in decoded["envelope"]


async def test_a_writer_the_reader_cannot_resolve_is_a_resolution_error() -> None:
    renamed = _edited(
        SCHEMA,
        "vn.lienthong.Envelope",
        lambda fields: fields.append({"name": "region", "type": "string", "default": "north"}),
    )
    reader = _edited(
        SCHEMA,
        "vn.lienthong.Envelope",
        lambda fields: fields.append({"name": "region", "type": "long", "default": 0}),
    )
    registry = InMemoryRegistry()
    writer = AvroSerializer(registry, renamed)
    await writer.prepare(TOPIC)
    record = _record()
    record["envelope"]["region"] = "south"
    with pytest.raises(ResolutionError, match=f"cannot be read as {DOSSIER_CHANGE}"):
        await AvroDeserializer(registry, reader=reader).decode_async(writer.encode(record))


PARCEL = {
    "type": "record",
    "name": "vn.test.Parcel",
    "fields": [
        {
            "name": "area",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2},
        },
        {"name": "tags", "type": {"type": "map", "values": "int"}, "default": {}},
        {"name": "code", "type": ["null", "int", "string"], "default": None},
    ],
}


@pytest.mark.parametrize(
    ("record", "field", "problem"),
    [
        ({"area": Decimal("1.234")}, "area", "does not fit bytes (decimal): Scale"),
        ({"area": 12.5}, "area", "12.5 (float) is not bytes (decimal)"),
        (
            {"area": Decimal("1.00"), "tags": {"north": "x"}},
            "tags['north']",
            "'x' (str) is not int",
        ),
        ({"area": Decimal("1.00"), "code": 1.5}, "code", "is not one of null | int | string"),
    ],
)
def test_mismatches_in_decimals_maps_and_wide_unions_name_the_field(
    record: dict[str, Any], field: str, problem: str
) -> None:
    found = find_mismatch(record, parse_schema(PARCEL))
    assert found is not None
    assert found.field == field
    assert problem in found.problem
