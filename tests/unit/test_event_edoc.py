"""E-document and e-document status events: edXML-aligned, attachments as claim checks only."""

import hashlib
import unicodedata
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from lienthong.events import (
    AttachmentRef,
    BusinessDocType,
    Document,
    DocumentChange,
    DocumentCode,
    DocumentStatus,
    DocumentStatusChange,
    DocumentStatusCode,
    DocumentType,
    Envelope,
    Operation,
    Organization,
    OtherInfo,
    PromulgationInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    TraceHeader,
)
from schemas import DOCUMENT_CHANGE, DOCUMENT_STATUS_CHANGE, load_parsed_schema
from tests.serde_support import avro_serde

AT = datetime(2025, 9, 30, 2, 15, 0, 500000, tzinfo=UTC)
DOCUMENT_ID = "000.00.00.G22,2025/09/30,7816/VPCP-TTĐT"
SIGNED_PDF = "Nội dung công văn đã ký số".encode()

GOVERNMENT_OFFICE = Organization(
    organ_id="000.00.00.G22",
    name="Văn phòng Chính phủ",
    address="16 Lê Hồng Phong, Ba Đình, Hà Nội",
    email="vpcp@chinhphu.vn",
    telephone="080 43162",
    website="https://vpcp.chinhphu.vn",
)
PROVINCE_OFFICE = Organization(
    organ_id="000.00.00.H41",
    name="Văn phòng Uỷ ban nhân dân tỉnh",
    address="số 3 đường Trường Thi",
)


def _envelope(key: str, operation: Operation = Operation.CREATE) -> Envelope:
    return Envelope(
        event_id=uuid.uuid4(),
        source_agency="000.00.00.H41",
        source_system="qlvb",
        operation=operation,
        occurred_at=AT,
        ingested_at=AT + timedelta(seconds=2),
        entity_key=key,
        entity_version=1,
        payload_sha256=hashlib.sha256(b"edxml package").hexdigest(),
        signature=b"\x30\x45\x02\x21",
        signature_key_id="540346B3B8D5A2E9",
    )


def _document(subject: str = "V/v triển khai kết nối, liên thông văn bản điện tử") -> Document:
    return Document(
        document_id=DOCUMENT_ID,
        from_organization=GOVERNMENT_OFFICE,
        to_organizations=(PROVINCE_OFFICE,),
        code=DocumentCode(number="7816", notation="VPCP-TTĐT"),
        promulgation=PromulgationInfo(place="Hà Nội", promulgation_date=date(2025, 9, 30)),
        document_type=DocumentType(type=1, type_detail=2, type_name="Công văn"),
        subject=subject,
        content="Văn phòng Chính phủ đề nghị các tỉnh hoàn thành kết nối trước ngày 15/10.",
        signer=SignerInfo(
            competence="KT. BỘ TRƯỞNG, CHỦ NHIỆM",
            position="PHÓ CHỦ NHIỆM",
            full_name="Phạm Văn Đức",
        ),
        due_date=date(2025, 10, 15),
        other_info=OtherInfo(
            priority=1, sphere_of_promulgation="Toàn quốc", page_count=3, appendix_count=1
        ),
        steering_type=0,
        to_places=("Như trên", "Lưu: VT, TTĐT"),
        trace_headers=(
            TraceHeader(organ_id="000.00.00.G22", at=AT),
            TraceHeader(organ_id="000.00.00.H41", at=AT + timedelta(minutes=3)),
        ),
        business_doc_type=BusinessDocType.NEW,
        attachments=(
            AttachmentRef(
                name="7816-VPCP-TTĐT.signed.pdf",
                content_type="application/pdf",
                size_bytes=len(SIGNED_PDF),
                sha256=hashlib.sha256(SIGNED_PDF).hexdigest(),
                uri="s3://edoc-attachments/000.00.00.G22/2025/09/30/7816.pdf",
            ),
        ),
        dossier_nos=("000.00.00.H41-250930-0007",),
    )


def _status(description: str = "Đã chuyển chuyên viên xử lý") -> DocumentStatusChange:
    status = DocumentStatus(
        response_for=ResponseFor(
            organ_id="000.00.00.G22",
            code="7816/VPCP-TTĐT",
            promulgation_date=date(2025, 9, 30),
            document_id=DOCUMENT_ID,
        ),
        from_organization=PROVINCE_OFFICE,
        status_code=DocumentStatusCode.PROCESSING_05,
        staff=StaffInfo(
            department="Phòng Hành chính - Tổ chức",
            staff_name="Lê Thị Hoà",
            mobile="0912345678",
            email="hoa@example.vn",
        ),
        description=description,
        status_at=AT + timedelta(hours=2),
    )
    return DocumentStatusChange(envelope=_envelope(DOCUMENT_ID), status=status)


async def test_document_change_survives_avro_round_trip_field_for_field() -> None:
    serde = await avro_serde(DOCUMENT_CHANGE)
    change = DocumentChange(envelope=_envelope(DOCUMENT_ID), after=_document())
    decoded = serde.round_trip(change.to_avro())
    assert DocumentChange.from_avro(decoded) == change
    assert decoded["after"]["promulgation"]["promulgation_date"] == date(2025, 9, 30)
    assert decoded["envelope"]["signature_key_id"] == "540346B3B8D5A2E9"


async def test_document_status_change_survives_avro_round_trip_field_for_field() -> None:
    serde = await avro_serde(DOCUMENT_STATUS_CHANGE)
    change = _status()
    decoded = serde.round_trip(change.to_avro())
    assert DocumentStatusChange.from_avro(decoded) == change
    assert decoded["status"]["status_code"] == "PROCESSING_05"


def test_decomposed_subject_and_notes_become_nfc() -> None:
    subject = unicodedata.normalize("NFD", "Về việc rà soát thủ tục hành chính lĩnh vực đất đai")
    assert _document(subject).subject == unicodedata.normalize("NFC", subject) != subject
    notes = unicodedata.normalize("NFD", "Trả lại: thiếu chữ ký số của người có thẩm quyền")
    assert _status(notes).status.description == unicodedata.normalize("NFC", notes) != notes


@pytest.mark.parametrize(
    "document_id",
    ["7816/VPCP-TTĐT", "000.00.00.G22,30/09/2025,7816/VPCP-TTĐT", "000.00.00.G22,2025/09/30,"],
)
def test_a_document_id_not_in_edxml_form_is_refused(document_id: str) -> None:
    with pytest.raises(ValidationError, match="document_id"):
        Document.model_validate({**_document().model_dump(), "document_id": document_id})


def test_a_document_goes_to_at_least_one_organisation() -> None:
    with pytest.raises(ValidationError, match="to_organizations"):
        Document.model_validate({**_document().model_dump(), "to_organizations": ()})


def _type_names(schema: Any) -> set[str]:
    if isinstance(schema, str):
        return {schema}
    if isinstance(schema, list):
        return set().union(*(_type_names(branch) for branch in schema))
    names = {schema["type"]} if isinstance(schema["type"], str) else _type_names(schema["type"])
    for fld in schema.get("fields", ()):
        names |= _type_names(fld["type"])
    if "items" in schema:
        names |= _type_names(schema["items"])
    return names


def test_attachments_are_claim_checks_without_bytes() -> None:
    assert "bytes" not in _type_names(load_parsed_schema("vn.lienthong.edoc.AttachmentRef"))
    assert "bytes" not in _type_names(load_parsed_schema("vn.lienthong.edoc.Document"))
    with pytest.raises(ValidationError, match="content"):
        AttachmentRef.model_validate(
            {**_document().attachments[0].model_dump(), "content": SIGNED_PDF}
        )


def test_an_attachment_hash_is_lowercase_hex_sha256() -> None:
    attachment = _document().attachments[0].model_dump()
    for digest in (attachment["sha256"].upper(), attachment["sha256"][:40], "not-a-hash"):
        with pytest.raises(ValidationError, match="sha256"):
            AttachmentRef.model_validate({**attachment, "sha256": digest})


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (0, BusinessDocType.NEW),
        (1, BusinessDocType.REVOCATION),
        (2, BusinessDocType.UPDATE),
        (3, BusinessDocType.REPLACEMENT),
        (9, BusinessDocType.UNKNOWN),
    ],
)
def test_business_doc_type_from_its_edxml_code(code: int, expected: BusinessDocType) -> None:
    assert BusinessDocType.from_edxml(code) is expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("01", DocumentStatusCode.ARRIVED_01),
        ("2", DocumentStatusCode.REJECTED_02),
        ("05", DocumentStatusCode.PROCESSING_05),
        ("13", DocumentStatusCode.REVOKED_13),
        ("16", DocumentStatusCode.REVOKE_UPDATE_REFUSED_16),
        ("99", DocumentStatusCode.UNKNOWN),
        ("", DocumentStatusCode.UNKNOWN),
    ],
)
def test_status_code_from_its_edxml_code(code: str, expected: DocumentStatusCode) -> None:
    assert DocumentStatusCode.from_edxml(code) is expected


def test_every_status_code_but_unknown_ends_with_its_edxml_digits() -> None:
    codes = [status.edxml_code for status in DocumentStatusCode]
    assert codes == [None, "01", "02", "03", "04", "05", "06", "13", "15", "16"]
