"""E-document status events: an agency's answer to a document it received, as in an edXML
status packet (schemas/vn.lienthong.edoc.DocumentStatus*.avsc)."""

from datetime import date
from enum import StrEnum

from pydantic import Field

from lienthong.events.edoc import DocumentId, Organization
from lienthong.events.envelope import ChangeEvent
from lienthong.events.fields import Code, StrictRecord, Text, UtcMillis

__all__ = [
    "DocumentStatus",
    "DocumentStatusChange",
    "DocumentStatusCode",
    "ResponseFor",
    "StaffInfo",
]


class DocumentStatusCode(StrEnum):
    """The edXML status codes; each symbol ends with its two-digit code."""

    UNKNOWN = "UNKNOWN"
    ARRIVED_01 = "ARRIVED_01"
    REJECTED_02 = "REJECTED_02"
    ACCEPTED_03 = "ACCEPTED_03"
    AWAITING_ASSIGNMENT_04 = "AWAITING_ASSIGNMENT_04"
    PROCESSING_05 = "PROCESSING_05"
    DONE_06 = "DONE_06"
    REVOKED_13 = "REVOKED_13"
    REVOKE_UPDATE_ACCEPTED_15 = "REVOKE_UPDATE_ACCEPTED_15"
    REVOKE_UPDATE_REFUSED_16 = "REVOKE_UPDATE_REFUSED_16"

    @property
    def edxml_code(self) -> str | None:
        """The two digits edXML writes, e.g. "05"; None for UNKNOWN."""
        _, _, code = self.value.rpartition("_")
        return code if code.isdigit() else None

    @classmethod
    def from_edxml(cls, code: str) -> "DocumentStatusCode":
        """The status edXML writes as `code` ("5" or "05"); UNKNOWN for a code not listed."""
        wanted = code.strip().zfill(2)
        return next((status for status in cls if status.edxml_code == wanted), cls.UNKNOWN)


class ResponseFor(StrictRecord):
    organ_id: Code = Field(min_length=1)
    code: Text = Field(min_length=1)
    promulgation_date: date
    document_id: DocumentId


class StaffInfo(StrictRecord):
    department: Text | None = None
    staff_name: Text | None = None
    mobile: Code | None = None
    email: Text | None = None


class DocumentStatus(StrictRecord):
    response_for: ResponseFor
    from_organization: Organization
    status_code: DocumentStatusCode
    staff: StaffInfo | None = None
    description: Text | None = None
    status_at: UtcMillis


class DocumentStatusChange(ChangeEvent):
    status: DocumentStatus
