"""Sample events for tests: one realistic dossier change, varied by number and version."""

import uuid
from datetime import UTC, datetime, timedelta

from connectors.motcua import DeptDossier, DeptStep
from lienthong.events import (
    Applicant,
    ApplicantKind,
    Dossier,
    DossierChange,
    Envelope,
    Operation,
    ProcessingStep,
)

__all__ = ["AT", "BUSINESS", "CITIZEN", "dept_dossier", "dossier_change"]

AT = datetime(2025, 7, 1, 1, 30, 15, 123000, tzinfo=UTC)

CITIZEN = Applicant(
    kind=ApplicantKind.CITIZEN,
    id_number="001099012345",
    name="Lê Thị Hoà",
    phone="0912345678",
    email="hoa@example.vn",
    address="12 Lý Thường Kiệt, phường Hoàn Kiếm",
    province_code="01",
    commune_code="00070",
)

BUSINESS = Applicant(
    kind=ApplicantKind.BUSINESS,
    id_number="0101234567",
    name="Công ty TNHH Hoà Bình",
    address="số 5 đường Trần Phú",
    province_code="15",
    commune_code="04570",
)


def dossier_change(
    no: str,
    version: int,
    operation: Operation = Operation.UPDATE,
    *,
    applicant: Applicant = CITIZEN,
) -> DossierChange:
    """Version `version` of dossier `no`: one processing step per version, fees growing."""
    dossier = Dossier(
        dossier_no=no,
        procedure_code="1.004227",
        local_procedure_code="2.000123.000.00.00.H41",
        field_code="G09-TP",
        receiving_agency="000.00.00.H41",
        applicant=applicant,
        status=f"processing-v{version}",
        submitted_at=AT,
        received_at=AT + timedelta(hours=1),
        due_at=AT + timedelta(days=15),
        fee_vnd=100_000 * version,
        steps=tuple(
            ProcessingStep(at=AT + timedelta(hours=i), action=f"step-{i}", officer="Phạm Văn Đức")
            for i in range(version)
        ),
    )
    envelope = Envelope(
        event_id=uuid.uuid4(),
        source_agency="000.00.00.H41",
        source_system="motcua",
        operation=operation,
        occurred_at=AT + timedelta(minutes=version),
        ingested_at=AT + timedelta(minutes=version, seconds=1),
        entity_key=no,
        entity_version=version,
    )
    if operation == Operation.DELETE:
        return DossierChange(envelope=envelope, before=dossier)
    return DossierChange(envelope=envelope, after=dossier)


CENTRE_GROUP = "lienthong-centre"
"""The consumer group the centre's offsets are kept under in sink tests."""


def dept_dossier(
    no: str, at: datetime, *, name: str = "Nguyễn Thị Ánh Tuyết", version: int = 1
) -> DeptDossier:
    """A row of the one-stop-shop's `dossiers` table: received five minutes after `at`."""
    return DeptDossier(
        dossier_no=no,
        procedure_code="1.004227",
        local_procedure_code="DD-01",
        field_code="G09-DD",
        receiving_agency="000.00.00.H41",
        applicant_kind="citizen",
        applicant_id_number="001099012345",
        applicant_name=name,
        applicant_phone="0912345678",
        applicant_email="an@example.vn",
        applicant_address="thôn Đông Hà, xã Yên Bình",
        applicant_province_code="15",
        applicant_commune_code="04570",
        status="receiving",
        submitted_at=at,
        received_at=at + timedelta(minutes=5),
        due_at=at + timedelta(days=7),
        fee_vnd=100_000,
        steps=(DeptStep(at, "receive", "Trần Thị Bình", "Bộ phận một cửa", "đủ hồ sơ"),),
        version=version,
    )
