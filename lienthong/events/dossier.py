"""One-stop-shop dossier change events (schemas/vn.lienthong.motcua.*.avsc)."""

from enum import StrEnum

from pydantic import Field

from lienthong.events.envelope import ChangeEvent
from lienthong.events.fields import Code, StrictRecord, Text, UtcMillis

__all__ = ["Applicant", "ApplicantKind", "Dossier", "DossierChange", "ProcessingStep"]


class ApplicantKind(StrEnum):
    UNKNOWN = "UNKNOWN"
    CITIZEN = "CITIZEN"
    BUSINESS = "BUSINESS"


class Applicant(StrictRecord):
    kind: ApplicantKind
    id_number: Code | None = None
    name: Text = Field(min_length=1)
    phone: Code | None = None
    email: Text | None = None
    address: Text | None = None
    province_code: Code | None = None
    commune_code: Code | None = None


class ProcessingStep(StrictRecord):
    at: UtcMillis
    action: Code = Field(min_length=1)
    officer: Text | None = None
    unit: Text | None = None
    note: Text | None = None


class Dossier(StrictRecord):
    dossier_no: Code = Field(min_length=1)
    procedure_code: Code = Field(min_length=1)
    local_procedure_code: Code | None = None
    field_code: Code | None = None
    receiving_agency: Code = Field(min_length=1)
    applicant: Applicant
    status: Code = Field(min_length=1)
    submitted_at: UtcMillis
    received_at: UtcMillis | None = None
    due_at: UtcMillis | None = None
    extended_due_at: UtcMillis | None = None
    finished_at: UtcMillis | None = None
    returned_at: UtcMillis | None = None
    cancelled_at: UtcMillis | None = None
    fee_vnd: int = Field(default=0, ge=0)
    steps: tuple[ProcessingStep, ...] = ()


class DossierChange(ChangeEvent):
    before: Dossier | None = None
    after: Dossier | None = None
