"""Sample land parcel, e-document and e-document status changes for the centre's tests,
varied by key and version (dossier changes: tests.factories)."""

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from lienthong.events import (
    AdminCodeList,
    BusinessDocType,
    Document,
    DocumentChange,
    DocumentCode,
    DocumentStatus,
    DocumentStatusChange,
    DocumentStatusCode,
    DocumentType,
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
    PromulgationInfo,
    ResponseFor,
    SignerInfo,
)

__all__ = ["PROVINCE_OFFICE", "document_change", "document_id", "parcel_change", "status_change"]

AT = datetime(2025, 8, 12, 3, 0, tzinfo=UTC)

PROVINCE_OFFICE = Organization(organ_id="000.00.00.H41", name="Văn phòng Uỷ ban nhân dân tỉnh")
LAND_OFFICE = Organization(organ_id="000.00.15.H41", name="Sở Nông nghiệp và Môi trường")


def _envelope(key: str, version: int, operation: Operation, system: str, agency: str) -> Envelope:
    return Envelope(
        event_id=uuid.uuid4(),
        source_agency=agency,
        source_system=system,
        operation=operation,
        occurred_at=AT + timedelta(minutes=version),
        ingested_at=AT + timedelta(minutes=version, seconds=1),
        entity_key=key,
        entity_version=version,
    )


def parcel_change(
    parcel_id: str,
    version: int,
    operation: Operation = Operation.UPDATE,
    *,
    dossier_no: str | None = None,
) -> LandParcelChange:
    """Version `version` of parcel `parcel_id`: its area grows by a square metre a version."""
    parcel = LandParcel(
        parcel_id=parcel_id,
        commune_code="04570",
        commune_code_list=AdminCodeList.VN2025,
        map_sheet_no=12,
        parcel_no=100 + version,
        version=version,
        is_latest=True,
        area_m2=Decimal("350.50") + version,
        legal_area_m2=Decimal("300.25"),
        land_uses=(LandUse(use_type_code="ONT", area_m2=Decimal("120.00"), term="Lâu dài"),),
        address="thôn Phú Thịnh, xã Yên Bình",
        certificate=LandCertificate(
            serial_no=f"DL {version:06d}", register_no="CS 01234", register_date=date(2024, 5, 6)
        ),
        holders=(LandHolder(kind=LandHolderKind.HOUSEHOLD, name="Hoàng Thị Thuỷ"),),
        change_reason=f"biến động lần {version}",
        dossier_no=dossier_no,
    )
    envelope = _envelope(parcel_id, version, operation, "vilis", "000.00.15.H41")
    if operation == Operation.DELETE:
        return LandParcelChange(envelope=envelope, before=parcel)
    return LandParcelChange(envelope=envelope, after=parcel)


def document_id(number: int) -> str:
    return f"000.00.00.H41,2025/08/12,{number}/UBND-VP"


def document_change(
    number: int,
    version: int,
    operation: Operation = Operation.UPDATE,
    *,
    dossier_nos: tuple[str, ...] = (),
) -> DocumentChange:
    """Version `version` of document `number` (its id: `document_id(number)`)."""
    document = Document(
        document_id=document_id(number),
        from_organization=PROVINCE_OFFICE,
        to_organizations=(LAND_OFFICE,),
        code=DocumentCode(number=str(number), notation="UBND-VP"),
        promulgation=PromulgationInfo(place="Yên Bái", promulgation_date=date(2025, 8, 12)),
        document_type=DocumentType(type=1, type_name="Công văn"),
        subject=f"V/v trả lời hồ sơ, bản {version}",
        signer=SignerInfo(position="CHÁNH VĂN PHÒNG", full_name="Phạm Văn Đức"),
        other_info=OtherInfo(),
        business_doc_type=BusinessDocType.NEW if version == 1 else BusinessDocType.UPDATE,
        dossier_nos=dossier_nos,
    )
    envelope = _envelope(document_id(number), version, operation, "qlvb", "000.00.00.H41")
    if operation == Operation.DELETE:
        return DocumentChange(envelope=envelope, before=document)
    return DocumentChange(envelope=envelope, after=document)


def status_change(
    number: int,
    version: int,
    code: DocumentStatusCode = DocumentStatusCode.PROCESSING_05,
    *,
    organ: Organization = LAND_OFFICE,
    operation: Operation = Operation.CREATE,
) -> DocumentStatusChange:
    """A status `organ` reports for document `number`, the document's `version`-th."""
    status = DocumentStatus(
        response_for=ResponseFor(
            organ_id=PROVINCE_OFFICE.organ_id,
            code=f"{number}/UBND-VP",
            promulgation_date=date(2025, 8, 12),
            document_id=document_id(number),
        ),
        from_organization=organ,
        status_code=code,
        description=f"trạng thái {version}",
        status_at=AT + timedelta(hours=version),
    )
    envelope = _envelope(document_id(number), version, operation, "qlvb", organ.organ_id)
    return DocumentStatusChange(envelope=envelope, status=status)
