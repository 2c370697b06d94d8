"""The typed event models must say exactly what the `.avsc` files say."""

import unicodedata
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from lienthong.codec import AvroCodec
from lienthong.errors import SchemaError
from lienthong.events import (
    Applicant,
    ApplicantKind,
    Dossier,
    DossierChange,
    Envelope,
    Operation,
    ProcessingStep,
)
from schemas import DOSSIER_CHANGE, load_parsed_schema

MODELS: dict[str, type[BaseModel]] = {
    "vn.lienthong.Envelope": Envelope,
    "vn.lienthong.motcua.Applicant": Applicant,
    "vn.lienthong.motcua.ProcessingStep": ProcessingStep,
    "vn.lienthong.motcua.Dossier": Dossier,
    "vn.lienthong.motcua.DossierChange": DossierChange,
}


def _named_records(schema: Any, found: dict[str, dict[str, Any]]) -> None:
    if isinstance(schema, list):
        for branch in schema:
            _named_records(branch, found)
    elif isinstance(schema, dict):
        if schema.get("type") == "record":
            found[schema["name"]] = schema
            for fld in schema["fields"]:
                _named_records(fld["type"], found)
        elif schema.get("type") == "array":
            _named_records(schema["items"], found)


def _records() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    _named_records(load_parsed_schema(DOSSIER_CHANGE), found)
    return found


def test_every_record_in_the_schema_has_a_model() -> None:
    assert set(_records()) == set(MODELS)


@pytest.mark.parametrize("record_name", sorted(MODELS))
def test_model_fields_match_schema_fields(record_name: str) -> None:
    record = _records()[record_name]
    model = MODELS[record_name]
    assert list(model.model_fields) == [f["name"] for f in record["fields"]]
    for fld in record["fields"]:
        nullable = isinstance(fld["type"], list) and "null" in fld["type"]
        has_default = "default" in fld
        info = model.model_fields[fld["name"]]
        assert (not info.is_required()) == has_default, fld["name"]
        if nullable:
            assert info.default is None, fld["name"]


@pytest.mark.parametrize("record_name", sorted(MODELS))
def test_every_schema_field_is_documented(record_name: str) -> None:
    for fld in _records()[record_name]["fields"]:
        assert fld.get("doc"), f"{record_name}.{fld['name']} has no doc"


def _change(name: str, moment: datetime) -> DossierChange:
    dossier = Dossier(
        dossier_no="000.00.00.H41-261123-0001",
        procedure_code="1.004227",
        receiving_agency="000.00.00.H41",
        applicant=Applicant(kind=ApplicantKind.CITIZEN, name=name, id_number="001099012345"),
        status="processing",
        submitted_at=moment,
        due_at=moment + timedelta(days=5),
        steps=(ProcessingStep(at=moment, action="receive", officer="Trần Thị Bình"),),
        fee_vnd=50_000,
    )
    envelope = Envelope(
        event_id=uuid.uuid4(),
        source_agency="000.00.00.H41",
        source_system="motcua",
        operation=Operation.UPDATE,
        occurred_at=moment,
        ingested_at=moment,
        entity_key=dossier.dossier_no,
        entity_version=3,
    )
    return DossierChange(envelope=envelope, after=dossier)


def test_change_survives_avro_round_trip_field_for_field() -> None:
    codec = AvroCodec(DOSSIER_CHANGE)
    change = _change("Nguyễn Văn Ánh", datetime(2026, 11, 23, 8, 30, 15, 123456, tzinfo=UTC))
    assert DossierChange.from_avro(codec.decode(codec.encode(change.to_avro()))) == change


def test_times_are_utc_at_millisecond_precision() -> None:
    local = timezone(timedelta(hours=7))
    change = _change("Lê Thị Hoa", datetime(2026, 11, 23, 15, 0, 0, 999999, tzinfo=local))
    assert change.envelope.occurred_at == datetime(2026, 11, 23, 8, 0, 0, 999000, tzinfo=UTC)


def test_decomposed_vietnamese_text_becomes_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Phạm Thị Hương")
    change = _change(decomposed, datetime(2026, 1, 1, tzinfo=UTC))
    assert change.after is not None
    assert change.after.applicant.name == unicodedata.normalize("NFC", decomposed)
    assert change.after.applicant.name != decomposed


def test_naive_times_and_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        _change("Bùi Văn Nam", datetime(2026, 1, 1))
    with pytest.raises(ValidationError):
        Applicant.model_validate({"kind": "CITIZEN", "name": "Đỗ An", "nickname": "x"})


def test_decoder_names_the_problem_with_bad_bytes() -> None:
    codec = AvroCodec(DOSSIER_CHANGE)
    good = codec.encode(_change("Hồ Văn Tú", datetime(2026, 1, 1, tzinfo=UTC)).to_avro())
    with pytest.raises(SchemaError, match="not a valid"):
        codec.decode(good[:10])
    with pytest.raises(SchemaError, match="trailing"):
        codec.decode(good + b"\x00")


def test_encoder_refuses_a_record_that_breaks_the_schema() -> None:
    codec = AvroCodec(DOSSIER_CHANGE)
    record = _change("Vũ Minh", datetime(2026, 1, 1, tzinfo=UTC)).to_avro()
    del record["envelope"]["source_agency"]
    with pytest.raises(SchemaError, match="source_agency"):
        codec.encode(record)
