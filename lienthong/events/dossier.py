"""One-stop-shop dossier change events (schemas/vn.lienthong.motcua.*.avsc)."""

import unicodedata
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from lienthong.events.envelope import Envelope, StrictRecord, UtcMillis

__all__ = ["Applicant", "ApplicantKind", "Dossier", "DossierChange", "ProcessingStep"]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


Text = Annotated[str, AfterValidator(_nfc)]
"""Vietnamese text arrives as NFC or NFD; the bus speaks NFC only."""


class ApplicantKind(StrEnum):
    UNKNOWN = "UNKNOWN"
    CITIZEN = "CITIZEN"
    BUSINESS = "BUSINESS"


class Applicant(StrictRecord):
    kind: ApplicantKind
    id_number: str | None = None
    name: Text = Field(min_length=1)
    phone: str | None = None
    email: str | None = None
    address: Text | None = None
    province_code: str | None = None
    commune_code: str | None = None


class ProcessingStep(StrictRecord):
    at: UtcMillis
    action: str = Field(min_length=1)
    officer: Text | None = None
    unit: Text | None = None
    note: Text | None = None


class Dossier(StrictRecord):
    dossier_no: str = Field(min_length=1)
    procedure_code: str = Field(min_length=1)
    local_procedure_code: str | None = None
    field_code: str | None = None
    receiving_agency: str = Field(min_length=1)
    applicant: Applicant
    status: str = Field(min_length=1)
    submitted_at: UtcMillis
    received_at: UtcMillis | None = None
    due_at: UtcMillis | None = None
    extended_due_at: UtcMillis | None = None
    finished_at: UtcMillis | None = None
    returned_at: UtcMillis | None = None
    cancelled_at: UtcMillis | None = None
    fee_vnd: int = Field(default=0, ge=0)
    steps: tuple[ProcessingStep, ...] = ()


class DossierChange(StrictRecord):
    envelope: Envelope
    before: Dossier | None = None
    after: Dossier | None = None

    def to_avro(self) -> dict[str, Any]:
        """The record as fastavro writes it (enums as symbols, datetimes kept)."""
        record: dict[str, Any] = self.model_dump(mode="python")
        record["envelope"]["event_id"] = str(self.envelope.event_id)
        return record

    @classmethod
    def from_avro(cls, record: dict[str, Any]) -> "DossierChange":
        return cls.model_validate(record)
