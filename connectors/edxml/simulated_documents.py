"""The documents and statuses the simulator sends, drawn from a seeded RNG."""

from collections import Counter
from datetime import datetime, timedelta
from random import Random

from connectors.edxml.simulated_vocabulary import AGENCIES, DOCUMENT_KINDS, SUBJECTS, Agency
from connectors.edxml.values import VIETNAM_TIME, edxml_text_date
from connectors.motcua.applicants import person_name
from lienthong.events import (
    BusinessDocType,
    Document,
    DocumentCode,
    DocumentStatus,
    DocumentStatusCode,
    DocumentType,
    Organization,
    OtherInfo,
    PromulgationInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    TraceHeader,
)

__all__ = ["new_document", "revised", "status_of"]

_PLACE = "Nghệ An"
_STATUS_NOTES = {
    DocumentStatusCode.ARRIVED_01: "Văn bản đã đến hệ thống quản lý văn bản",
    DocumentStatusCode.ACCEPTED_03: "Văn thư đã tiếp nhận, vào sổ văn bản đến",
    DocumentStatusCode.PROCESSING_05: "Đã chuyển chuyên viên xử lý",
    DocumentStatusCode.DONE_06: "Đã xử lý xong",
    DocumentStatusCode.REVOKE_UPDATE_ACCEPTED_15: "Đồng ý thu hồi văn bản",
    DocumentStatusCode.REVOKE_UPDATE_REFUSED_16: "Văn bản đã xử lý, đề nghị ban hành văn bản mới",
}


def new_document(rng: Random, at: datetime, numbers: Counter[str]) -> Document:
    """A new document from a random agency to one to three others, numbered in turn."""
    sender = rng.choice(AGENCIES)
    receivers = rng.sample(
        [a for a in AGENCIES if a.organ_id != sender.organ_id], rng.randint(1, 3)
    )
    kind = rng.choice(DOCUMENT_KINDS)
    if sender.organ_id not in numbers:  # agencies are part-way through their year's register
        numbers[sender.organ_id] = rng.randint(100, 900)
    numbers[sender.organ_id] += 1
    number = str(numbers[sender.organ_id])
    notation = kind.notation.format(agency=sender.abbreviation)
    day = at.astimezone(VIETNAM_TIME).date()
    deputy = rng.random() < 0.7
    head = sender.head
    return Document(
        document_id=f"{sender.organ_id},{edxml_text_date(day)},{number}/{notation}",
        from_organization=_organization(sender),
        to_organizations=tuple(_organization(receiver) for receiver in receivers),
        code=DocumentCode(number=number, notation=notation),
        promulgation=PromulgationInfo(place=_PLACE, promulgation_date=day),
        document_type=DocumentType(
            type=kind.type, type_detail=kind.type_detail, type_name=kind.name
        ),
        subject=rng.choice(SUBJECTS),
        signer=SignerInfo(
            competence=f"KT. {head}" if deputy else None,
            position=f"PHÓ {head}" if deputy else head,
            full_name=person_name(rng)[0],
        ),
        due_date=day + timedelta(days=rng.randint(5, 20)) if rng.random() < 0.4 else None,
        other_info=OtherInfo(
            priority=rng.choices((0, 1, 2, 3), weights=(80, 12, 6, 2))[0],
            sphere_of_promulgation="Lưu hành nội bộ",
            page_count=rng.randint(1, 12),
        ),
        steering_type=0,
        to_places=("Như trên", f"Lưu: VT, {sender.abbreviation}"),
        trace_headers=(TraceHeader(organ_id=sender.organ_id, at=at),),
        business_doc_type=BusinessDocType.NEW,
    )


def revised(document: Document, kind: BusinessDocType, reason: str, at: datetime) -> Document:
    """The package that revokes or updates `document`, sent at `at`."""
    trace = TraceHeader(organ_id=document.from_organization.organ_id, at=at)
    return document.model_copy(
        update={"business_doc_type": kind, "business_doc_reason": reason, "trace_headers": (trace,)}
    )


def status_of(
    rng: Random, document: Document, organ_id: str, code: DocumentStatusCode, at: datetime
) -> DocumentStatus:
    agency = next(a for a in AGENCIES if a.organ_id == organ_id)
    name, _ = person_name(rng)
    return DocumentStatus(
        response_for=ResponseFor(
            organ_id=document.from_organization.organ_id,
            code=f"{document.code.number}/{document.code.notation}",
            promulgation_date=document.promulgation.promulgation_date,
            document_id=document.document_id,
        ),
        from_organization=_organization(agency),
        status_code=code,
        staff=StaffInfo(department=rng.choice(agency.departments), staff_name=name),
        description=_STATUS_NOTES.get(code),
        status_at=at,
    )


def _organization(agency: Agency) -> Organization:
    return Organization(
        organ_id=agency.organ_id, name=agency.name, address=agency.address, email=agency.email
    )
