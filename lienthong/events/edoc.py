"""E-document change events, aligned with the edXML header of QCVN 102:2016/BTTTT
(schemas/vn.lienthong.edoc.*.avsc). Attachments are claim checks: never the bytes."""

from datetime import date
from enum import StrEnum
from typing import Annotated, Final

from pydantic import Field

from lienthong.events.envelope import ChangeEvent
from lienthong.events.fields import Code, Sha256Hex, StrictRecord, Text, UtcMillis

__all__ = [
    "DOCUMENT_ID_PATTERN",
    "AttachmentRef",
    "BusinessDocType",
    "Document",
    "DocumentChange",
    "DocumentCode",
    "DocumentId",
    "DocumentType",
    "Organization",
    "OtherInfo",
    "PromulgationInfo",
    "SignerInfo",
    "TraceHeader",
]

DOCUMENT_ID_PATTERN: Final = r"^[^,]+,\d{4}/\d{2}/\d{2},[^,]+$"
"""`OrganId,yyyy/MM/dd,Number/Notation`, e.g. `000.00.00.G22,2015/09/30,7816/VPCP-TTĐT`."""

DocumentId = Annotated[Text, Field(pattern=DOCUMENT_ID_PATTERN)]


class BusinessDocType(StrEnum):
    UNKNOWN = "UNKNOWN"
    NEW = "NEW"
    REVOCATION = "REVOCATION"
    UPDATE = "UPDATE"
    REPLACEMENT = "REPLACEMENT"

    @classmethod
    def from_edxml(cls, code: int) -> "BusinessDocType":
        """The type edXML writes as `code` (0 new ... 3 replacement); UNKNOWN for any other."""
        return _BUSINESS_DOC_TYPES.get(code, cls.UNKNOWN)


_BUSINESS_DOC_TYPES: Final = {
    0: BusinessDocType.NEW,
    1: BusinessDocType.REVOCATION,
    2: BusinessDocType.UPDATE,
    3: BusinessDocType.REPLACEMENT,
}


class Organization(StrictRecord):
    organ_id: Code = Field(min_length=1)
    name: Text = Field(min_length=1)
    address: Text | None = None
    email: Text | None = None
    telephone: Code | None = None
    fax: Code | None = None
    website: Text | None = None


class DocumentCode(StrictRecord):
    number: Code = Field(min_length=1)
    notation: Text = Field(min_length=1)


class PromulgationInfo(StrictRecord):
    place: Text = Field(min_length=1)
    promulgation_date: date


class DocumentType(StrictRecord):
    type: int
    type_detail: int | None = None
    type_name: Text = Field(min_length=1)


class SignerInfo(StrictRecord):
    competence: Text | None = None
    position: Text = Field(min_length=1)
    full_name: Text = Field(min_length=1)


class OtherInfo(StrictRecord):
    priority: int = Field(default=0, ge=0)
    sphere_of_promulgation: Text | None = None
    page_count: int | None = Field(default=None, ge=0)
    appendix_count: int = Field(default=0, ge=0)


class TraceHeader(StrictRecord):
    organ_id: Code = Field(min_length=1)
    at: UtcMillis


class AttachmentRef(StrictRecord):
    name: Text = Field(min_length=1)
    content_type: Code = Field(min_length=1)
    size_bytes: int = Field(ge=0)
    sha256: Sha256Hex
    uri: Text = Field(min_length=1)


class Document(StrictRecord):
    document_id: DocumentId
    from_organization: Organization
    to_organizations: tuple[Organization, ...] = Field(min_length=1)
    code: DocumentCode
    promulgation: PromulgationInfo
    document_type: DocumentType
    subject: Text = Field(min_length=1)
    content: Text | None = None
    signer: SignerInfo
    due_date: date | None = None
    other_info: OtherInfo
    steering_type: int | None = None
    to_places: tuple[Text, ...] = ()
    trace_headers: tuple[TraceHeader, ...] = ()
    business_doc_type: BusinessDocType = BusinessDocType.UNKNOWN
    business_doc_reason: Text | None = None
    replaced_document_ids: tuple[DocumentId, ...] = ()
    attachments: tuple[AttachmentRef, ...] = ()
    dossier_nos: tuple[Code, ...] = ()


class DocumentChange(ChangeEvent):
    before: Document | None = None
    after: Document | None = None
