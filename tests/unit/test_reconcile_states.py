"""Both sides' rows become the same checksum when they hold the same dossier, whatever their
storage: local or UTC times, NFD or NFC text, JSON steps or a tuple."""

import json
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.motcua import DeptDossier, DeptStep, SourceIdentity
from lienthong.events import Applicant, ApplicantKind, Dossier, ProcessingStep
from lienthong.reconcile import centre_state, dossier_checksum, source_state
from tests.factories import dept_dossier

SOURCE = SourceIdentity(agency="000.00.00.H41", system="motcua")
AT = datetime(2026, 3, 2, 1, 15, 30, 250000, tzinfo=UTC)

DEPT = dept_dossier("H41.26-000001", AT, version=3)

DOSSIER = Dossier(
    dossier_no=DEPT.dossier_no,
    procedure_code=DEPT.procedure_code,
    local_procedure_code=DEPT.local_procedure_code,
    field_code=DEPT.field_code,
    receiving_agency=DEPT.receiving_agency,
    applicant=Applicant(
        kind=ApplicantKind.CITIZEN,
        id_number="001099012345",
        name="Nguyễn Thị Ánh Tuyết",
        phone="0912345678",
        email="an@example.vn",
        address="thôn Đông Hà, xã Yên Bình",
        province_code="15",
        commune_code="04570",
    ),
    status="receiving",
    submitted_at=AT,
    received_at=AT + timedelta(minutes=5),
    due_at=AT + timedelta(days=7),
    fee_vnd=100_000,
    steps=(
        ProcessingStep(
            at=AT,
            action="receive",
            officer="Trần Thị Bình",
            unit="Bộ phận một cửa",
            note="đủ hồ sơ",
        ),
    ),
)


def source_row(dept: DeptDossier = DEPT, *, naive: bool = False) -> dict[str, Any]:
    """The row as the source database hands it back (SQLite: naive UTC datetimes)."""
    row = dept.to_row()
    if naive:
        row = {k: v.replace(tzinfo=None) if isinstance(v, datetime) else v for k, v in row.items()}
    return row


def centre_row(dossier: Dossier = DOSSIER, version: int = 3) -> dict[str, Any]:
    """The row as the centre's `dossiers` table holds it."""
    applicant = {f"applicant_{k}": v for k, v in dossier.applicant.model_dump().items()}
    applicant["applicant_kind"] = dossier.applicant.kind.value
    fields = dossier.model_dump(exclude={"applicant", "steps"})
    steps = json.dumps([s.model_dump(mode="json") for s in dossier.steps], ensure_ascii=False)
    return {
        **fields,
        **applicant,
        "steps": steps,
        "entity_version": version,
        "event_id": "00000000-0000-0000-0000-000000000001",
        "source_agency": "000.00.00.H41",
        "source_system": "motcua",
        "occurred_at": AT,
        "synced_at": AT,
    }


def test_the_same_dossier_on_both_sides_has_one_checksum() -> None:
    at_source = source_state(source_row(naive=True), SOURCE)
    at_centre = centre_state(centre_row())
    assert at_source.checksum is not None
    assert at_source.checksum == at_centre.checksum == dossier_checksum(DOSSIER)
    assert (
        (at_source.key, at_source.version)
        == (at_centre.key, at_centre.version)
        == (
            "H41.26-000001",
            3,
        )
    )
    assert at_source.dossier == at_centre.dossier == DOSSIER


def test_decomposed_text_at_the_source_matches_the_composed_centre() -> None:
    nfd = replace(DEPT, applicant_name=unicodedata.normalize("NFD", DEPT.applicant_name))
    assert source_state(source_row(nfd), SOURCE).checksum == dossier_checksum(DOSSIER)


def test_any_field_change_changes_the_checksum_and_the_version_does_not() -> None:
    base = dossier_checksum(DOSSIER)
    assert source_state(source_row(replace(DEPT, fee_vnd=1)), SOURCE).checksum != base
    later_step = (*DEPT.steps, DeptStep(AT + timedelta(hours=1), "transfer"))
    assert source_state(source_row(replace(DEPT, steps=later_step)), SOURCE).checksum != base
    assert centre_state(centre_row(DOSSIER.model_copy(update={"status": "x"}))).checksum != base
    assert centre_state(centre_row(version=9)).checksum == base


def test_a_row_the_connector_would_dead_letter_has_no_checksum() -> None:
    state = source_state(source_row(replace(DEPT, applicant_name="")), SOURCE)
    assert state.checksum is None
    assert state.problem is not None and "applicant_name" in state.problem
    broken = source_row() | {"steps_json": "[{"}
    assert source_state(broken, SOURCE).checksum is None
