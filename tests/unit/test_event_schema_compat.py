"""The schemas hold for both Avro libraries and evolve safely: enums fall back to their
default, and the envelope's optional fields read both ways between old and new versions."""

import copy
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import avro.io
import avro.schema
import pytest
from fastavro import parse_schema, schemaless_reader, schemaless_writer

from lienthong.events import (
    CHANGE_MODELS,
    DocumentStatus,
    DocumentStatusChange,
    DocumentStatusCode,
    Envelope,
    Operation,
    Organization,
    ResponseFor,
)
from schemas import DOCUMENT_STATUS_CHANGE, DOSSIER_CHANGE, TOP_LEVEL, load_parsed_schema
from tests.factories import dossier_change

NEWER_SYMBOL = "FORWARDED_17"
AT = datetime(2025, 10, 1, 1, 0, tzinfo=UTC)
DOCUMENT_ID = "000.00.00.G22,2025/09/30,7816/VPCP-TTĐT"


def _arrived() -> DocumentStatusChange:
    envelope = Envelope(
        event_id=uuid.uuid4(),
        source_agency="000.00.00.H41",
        source_system="qlvb",
        operation=Operation.CREATE,
        occurred_at=AT,
        ingested_at=AT,
        entity_key=DOCUMENT_ID,
        entity_version=1,
    )
    status = DocumentStatus(
        response_for=ResponseFor(
            organ_id="000.00.00.G22",
            code="7816/VPCP-TTĐT",
            promulgation_date=date(2025, 9, 30),
            document_id=DOCUMENT_ID,
        ),
        from_organization=Organization(organ_id="000.00.00.H41", name="Uỷ ban nhân dân tỉnh"),
        status_code=DocumentStatusCode.ARRIVED_01,
        status_at=AT,
    )
    return DocumentStatusChange(envelope=envelope, status=status)


def _plain(schema: Any) -> Any:
    """The schema as JSON data, without fastavro's private parse hints."""
    if isinstance(schema, dict):
        return {k: _plain(v) for k, v in schema.items() if not k.startswith("__")}
    if isinstance(schema, list):
        return [_plain(item) for item in schema]
    return schema


def _walk(schema: Any) -> Iterator[dict[str, Any]]:
    """Every named or complex type inside `schema`, depth first."""
    if isinstance(schema, list):
        for branch in schema:
            yield from _walk(branch)
    elif isinstance(schema, dict):
        yield schema
        for fld in schema.get("fields", ()):
            yield from _walk(fld["type"])
        if "items" in schema:
            yield from _walk(schema["items"])


def _enums() -> dict[str, dict[str, Any]]:
    return {
        t["name"]: _plain(t)
        for full_name in TOP_LEVEL
        for t in _walk(load_parsed_schema(full_name))
        if t.get("type") == "enum"
    }


def _avro_fields(schema: avro.schema.Schema, seen: set[str]) -> Iterator[avro.schema.Field]:
    if isinstance(schema, avro.schema.RecordSchema):
        if schema.fullname in seen:
            return
        seen.add(schema.fullname)
        for fld in schema.fields:
            yield fld
            yield from _avro_fields(fld.type, seen)
    elif isinstance(schema, avro.schema.UnionSchema):
        for branch in schema.schemas:
            yield from _avro_fields(branch, seen)
    elif isinstance(schema, avro.schema.ArraySchema):
        yield from _avro_fields(schema.items, seen)


@pytest.mark.parametrize("full_name", TOP_LEVEL)
def test_schema_parses_with_the_apache_avro_package(full_name: str) -> None:
    parsed = avro.schema.parse(json.dumps(load_parsed_schema(full_name)))
    assert isinstance(parsed, avro.schema.RecordSchema)
    assert parsed.fullname == full_name
    assert [f.name for f in parsed.fields] == list(CHANGE_MODELS[full_name].model_fields)


@pytest.mark.parametrize("full_name", TOP_LEVEL)
def test_every_default_is_valid_for_its_type(full_name: str) -> None:
    parsed = avro.schema.parse(json.dumps(load_parsed_schema(full_name)))
    for fld in _avro_fields(parsed, set()):
        if not fld.has_default:
            continue
        # A union's default must match its first branch.
        expected = (
            fld.type.schemas[0] if isinstance(fld.type, avro.schema.UnionSchema) else fld.type
        )
        assert avro.io.validate(expected, fld.default), f"{fld.name}: {fld.default!r}"


def _write(writer: Any, record: dict[str, Any]) -> bytes:
    buffer = BytesIO()
    schemaless_writer(buffer, writer, record)
    return buffer.getvalue()


def _read(data: bytes, writer: Any, reader: Any) -> dict[str, Any]:
    """Avro schema resolution: bytes written with `writer`, read as `reader` sees them."""
    record = schemaless_reader(BytesIO(data), writer, reader)
    assert isinstance(record, dict)
    return record


def test_the_schemas_hold_six_enums() -> None:
    assert len(_enums()) == 6


@pytest.mark.parametrize("enum_name", sorted(_enums()))
def test_a_symbol_from_a_newer_writer_reads_as_the_default(enum_name: str) -> None:
    reader_enum = _enums()[enum_name]
    writer_enum = {**reader_enum, "symbols": [*reader_enum["symbols"], NEWER_SYMBOL]}

    def probe(enum: dict[str, Any]) -> Any:
        return parse_schema(
            {"type": "record", "name": "Probe", "fields": [{"name": "value", "type": enum}]}
        )

    data = _write(probe(writer_enum), {"value": NEWER_SYMBOL})
    assert _read(data, probe(writer_enum), probe(reader_enum)) == {"value": reader_enum["default"]}


def test_a_status_with_a_code_from_a_newer_writer_reads_as_unknown() -> None:
    reader = load_parsed_schema(DOCUMENT_STATUS_CHANGE)
    newer = _plain(reader)
    status_code = next(t for t in _walk(newer) if t.get("name", "").endswith("DocumentStatusCode"))
    status_code["symbols"].append(NEWER_SYMBOL)
    writer = parse_schema(newer)
    sent = _arrived()
    record = sent.to_avro()
    record["status"]["status_code"] = NEWER_SYMBOL

    read = DocumentStatusChange.from_avro(_read(_write(writer, record), writer, reader))
    assert read.status.status_code is DocumentStatusCode.UNKNOWN
    assert read.status.response_for == sent.status.response_for


def _without_signature_key_id(schema: dict[str, Any]) -> Any:
    old = copy.deepcopy(_plain(schema))
    envelope = next(t for t in _walk(old) if t.get("name") == "vn.lienthong.Envelope")
    envelope["fields"] = [f for f in envelope["fields"] if f["name"] != "signature_key_id"]
    return parse_schema(old)


def test_envelope_signature_key_id_reads_both_ways_between_versions() -> None:
    current = load_parsed_schema(DOSSIER_CHANGE)
    before_key_id = _without_signature_key_id(current)
    record = dossier_change("000.00.00.H41-251104-0007", 2).to_avro()
    record["envelope"].update(signature=b"\x30\x45", signature_key_id="540346B3B8D5A2E9")

    old_view = _read(_write(current, record), current, before_key_id)
    assert "signature_key_id" not in old_view["envelope"]
    assert old_view["envelope"]["signature"] == b"\x30\x45"

    del record["envelope"]["signature_key_id"]
    new_view = _read(_write(before_key_id, record), before_key_id, current)
    assert new_view["envelope"]["signature_key_id"] is None
