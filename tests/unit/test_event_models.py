"""The typed event models must say exactly what the `.avsc` files say."""

import re
import unicodedata
import uuid
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from lienthong.events import (
    CHANGE_MODELS,
    AdminCodeList,
    Applicant,
    ApplicantKind,
    AttachmentRef,
    BusinessDocType,
    Document,
    DocumentChange,
    DocumentCode,
    DocumentStatus,
    DocumentStatusChange,
    DocumentStatusCode,
    DocumentType,
    Dossier,
    DossierChange,
    Envelope,
    LandCertificate,
    LandHolder,
    LandHolderKind,
    LandParcel,
    LandParcelChange,
    LandUse,
    Operation,
    Organization,
    OtherInfo,
    ParcelRef,
    ProcessingStep,
    PromulgationInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    TraceHeader,
)
from lienthong.serde import PayloadError, RecordMismatchError, WireFormatError
from schemas import DOSSIER_CHANGE, TOP_LEVEL, load_parsed_schema
from tests.serde_support import avro_serde

MODELS: dict[str, type[BaseModel]] = {
    "vn.lienthong.Envelope": Envelope,
    "vn.lienthong.motcua.Applicant": Applicant,
    "vn.lienthong.motcua.ProcessingStep": ProcessingStep,
    "vn.lienthong.motcua.Dossier": Dossier,
    "vn.lienthong.motcua.DossierChange": DossierChange,
    "vn.lienthong.land.ParcelRef": ParcelRef,
    "vn.lienthong.land.LandUse": LandUse,
    "vn.lienthong.land.LandCertificate": LandCertificate,
    "vn.lienthong.land.LandHolder": LandHolder,
    "vn.lienthong.land.LandParcel": LandParcel,
    "vn.lienthong.land.LandParcelChange": LandParcelChange,
    "vn.lienthong.edoc.Organization": Organization,
    "vn.lienthong.edoc.DocumentCode": DocumentCode,
    "vn.lienthong.edoc.PromulgationInfo": PromulgationInfo,
    "vn.lienthong.edoc.DocumentType": DocumentType,
    "vn.lienthong.edoc.SignerInfo": SignerInfo,
    "vn.lienthong.edoc.OtherInfo": OtherInfo,
    "vn.lienthong.edoc.TraceHeader": TraceHeader,
    "vn.lienthong.edoc.AttachmentRef": AttachmentRef,
    "vn.lienthong.edoc.Document": Document,
    "vn.lienthong.edoc.DocumentChange": DocumentChange,
    "vn.lienthong.edoc.ResponseFor": ResponseFor,
    "vn.lienthong.edoc.StaffInfo": StaffInfo,
    "vn.lienthong.edoc.DocumentStatus": DocumentStatus,
    "vn.lienthong.edoc.DocumentStatusChange": DocumentStatusChange,
}

ENUMS: dict[str, type[StrEnum]] = {
    "vn.lienthong.Operation": Operation,
    "vn.lienthong.AdminCodeList": AdminCodeList,
    "vn.lienthong.motcua.ApplicantKind": ApplicantKind,
    "vn.lienthong.land.LandHolderKind": LandHolderKind,
    "vn.lienthong.edoc.BusinessDocType": BusinessDocType,
    "vn.lienthong.edoc.DocumentStatusCode": DocumentStatusCode,
}


def _named_types(schema: Any, found: dict[str, dict[str, Any]]) -> None:
    if isinstance(schema, list):
        for branch in schema:
            _named_types(branch, found)
    elif isinstance(schema, dict):
        if schema.get("type") in ("record", "enum"):
            found[schema["name"]] = schema
        if schema.get("type") == "record":
            for fld in schema["fields"]:
                _named_types(fld["type"], found)
        elif schema.get("type") == "array":
            _named_types(schema["items"], found)


def _all_named_types() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for full_name in TOP_LEVEL:
        _named_types(load_parsed_schema(full_name), found)
    return found


def _records() -> dict[str, dict[str, Any]]:
    return {name: t for name, t in _all_named_types().items() if t["type"] == "record"}


def _enums() -> dict[str, dict[str, Any]]:
    return {name: t for name, t in _all_named_types().items() if t["type"] == "enum"}


def test_every_top_level_record_has_a_change_model() -> None:
    assert set(CHANGE_MODELS) == set(TOP_LEVEL)
    for full_name, model in CHANGE_MODELS.items():
        assert MODELS[full_name] is model


def test_every_record_in_the_schemas_has_a_model() -> None:
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
def test_optional_fields_are_null_first_with_a_null_default(record_name: str) -> None:
    for fld in _records()[record_name]["fields"]:
        if isinstance(fld["type"], list) and "null" in fld["type"]:
            assert fld["type"][0] == "null", f"{record_name}.{fld['name']}"
            assert "default" in fld and fld["default"] is None, f"{record_name}.{fld['name']}"


def test_every_enum_in_the_schemas_has_a_model() -> None:
    assert set(_enums()) == set(ENUMS)


@pytest.mark.parametrize("enum_name", sorted(ENUMS))
def test_enum_symbols_match_and_the_default_is_one_of_them(enum_name: str) -> None:
    schema = _enums()[enum_name]
    assert [member.value for member in ENUMS[enum_name]] == schema["symbols"]
    assert schema.get("default") in schema["symbols"], f"{enum_name} needs a default symbol"


@pytest.mark.parametrize("record_name", sorted(MODELS))
def test_every_schema_field_is_documented(record_name: str) -> None:
    for fld in _records()[record_name]["fields"]:
        assert fld.get("doc"), f"{record_name}.{fld['name']} has no doc"


_VIETNAMESE_TERM = re.compile(r"\([^)]*[^\x00-\x7f][^)]*\)")


@pytest.mark.parametrize("record_name", sorted(MODELS))
def test_every_field_doc_names_the_vietnamese_term(record_name: str) -> None:
    for fld in _records()[record_name]["fields"]:
        assert _VIETNAMESE_TERM.search(fld["doc"]), f"{record_name}.{fld['name']}: {fld['doc']}"


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


async def test_change_survives_avro_round_trip_field_for_field() -> None:
    serde = await avro_serde(DOSSIER_CHANGE)
    change = _change("Nguyễn Văn Ánh", datetime(2026, 11, 23, 8, 30, 15, 123456, tzinfo=UTC))
    assert DossierChange.from_avro(serde.round_trip(change.to_avro())) == change


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


async def test_decoder_names_the_problem_with_bad_bytes() -> None:
    serde = await avro_serde(DOSSIER_CHANGE)
    good = serde.encode(_change("Hồ Văn Tú", datetime(2026, 1, 1, tzinfo=UTC)).to_avro())
    with pytest.raises(WireFormatError, match="wrong magic byte"):
        serde.decode(b"\x01" + good[1:])
    with pytest.raises(PayloadError, match="truncated or garbled"):
        serde.decode(good[:10])
    with pytest.raises(PayloadError, match="1 bytes left after the record"):
        serde.decode(good + b"\x00")


async def test_encoder_refuses_a_record_that_breaks_the_schema() -> None:
    serde = await avro_serde(DOSSIER_CHANGE)
    record = _change("Vũ Minh", datetime(2026, 1, 1, tzinfo=UTC)).to_avro()
    del record["envelope"]["source_agency"]
    with pytest.raises(RecordMismatchError, match="source_agency") as refused:
        serde.encode(record)
    assert refused.value.field == "envelope.source_agency"
