"""The walking skeleton end to end: one-stop-shop database → outbox connector → Kafka →
stream worker → centre, on SQLite and on PostgreSQL, compared field by field."""

import asyncio
import json
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select

from connectors.motcua import (
    DeptDossier,
    DeptStep,
    OutboxEventType,
    Simulator,
    create_source_engine,
    ensure_source_schema,
    write_change,
)
from connectors.motcua.outbox import motcua_outbox_runner
from connectors.motcua.source_db import dossiers_table
from lienthong.events import Applicant, ApplicantKind, Dossier, ProcessingStep
from lienthong.settings import CentreSettings, Settings, SourceSettings
from streams.centre import open_centre, read_dossier
from streams.centre.schema import DOSSIERS
from tests.factories import dept_dossier
from tests.integration.test_streams_worker import running_worker

pytestmark = pytest.mark.integration

_KINDS = {"citizen": ApplicantKind.CITIZEN, "business": ApplicantKind.BUSINESS}
"""The department's words for applicant types, and the bus's."""
AT = datetime(2026, 3, 2, 1, 15, tzinfo=UTC)
WAIT_S = 90.0


def _expected(row: DeptDossier) -> Dossier:
    """What the centre must hold for a department row: every column, nothing invented."""
    return Dossier(
        dossier_no=row.dossier_no,
        procedure_code=row.procedure_code,
        local_procedure_code=row.local_procedure_code,
        field_code=row.field_code,
        receiving_agency=row.receiving_agency,
        applicant=Applicant(
            kind=_KINDS[row.applicant_kind],
            id_number=row.applicant_id_number,
            name=row.applicant_name,
            phone=row.applicant_phone,
            email=row.applicant_email,
            address=row.applicant_address,
            province_code=row.applicant_province_code,
            commune_code=row.applicant_commune_code,
        ),
        status=row.status,
        submitted_at=row.submitted_at,
        received_at=row.received_at,
        due_at=row.due_at,
        extended_due_at=row.extended_due_at,
        finished_at=row.finished_at,
        returned_at=row.returned_at,
        cancelled_at=row.cancelled_at,
        fee_vnd=row.fee_vnd,
        steps=tuple(
            ProcessingStep(at=s.at, action=s.action, officer=s.officer, unit=s.unit, note=s.note)
            for s in row.steps
        ),
    )


def _source_rows(engine: Engine) -> dict[str, DeptDossier]:
    with engine.connect() as conn:
        rows = conn.execute(select(dossiers_table)).mappings().all()
    return {row["dossier_no"]: DeptDossier.from_row(row) for row in rows}


def _centre_versions(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(DOSSIERS.c.dossier_no, DOSSIERS.c.entity_version))
        return {key: version for key, version in rows}


async def _until_centre_matches(source: Engine, centre: Engine, check: Callable[[], None]) -> None:
    deadline = time.monotonic() + WAIT_S
    while True:
        wanted = {no: row.version for no, row in _source_rows(source).items()}
        if _centre_versions(centre) == wanted:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"centre never matched the source: {len(wanted)} dossiers expected")
        check()
        await asyncio.sleep(0.3)


def _dossier(no: str, name: str) -> DeptDossier:
    return dept_dossier(no, AT, name=name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def pipeline_settings(
    request: pytest.FixtureRequest, bus_settings: Settings, tmp_path: Path
) -> Settings:
    if request.param == "sqlite":
        return bus_settings
    create: Callable[[], str] = request.getfixturevalue("postgres_databases")
    return bus_settings.model_copy(
        update={
            "source": SourceSettings(dsn=SecretStr(create())),
            "centre": CentreSettings(dsn=SecretStr(create())),
        }
    )


async def test_source_changes_reach_the_centre_field_for_field(
    pipeline_settings: Settings, tmp_path: Path
) -> None:
    settings = pipeline_settings
    source = create_source_engine(settings)
    ensure_source_schema(source)
    centre = open_centre(settings)
    nfd_name = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")
    created = _dossier("H41.26-000001", nfd_name)
    doomed = _dossier("H41.26-000002", "Lê Văn Đức")
    Simulator(source, seed=7).steps(150)  # before ours, so it never touches them
    write_change(source, OutboxEventType.CREATED, created, occurred_at=AT)
    write_change(source, OutboxEventType.CREATED, doomed, occurred_at=AT)

    connector_stop = asyncio.Event()
    connector = motcua_outbox_runner(settings)
    publishing = asyncio.create_task(connector.run(connector_stop))
    try:
        with running_worker(settings, tmp_path / "worker.log") as worker:

            def alive() -> None:
                assert worker.process.poll() is None, worker.log()
                assert not publishing.done(), publishing

            await _until_centre_matches(source, centre, alive)
            held = read_dossier(centre, created.dossier_no)
            assert held is not None
            assert held.model_dump() == _expected(created).model_dump()
            assert held is not None
            assert held.applicant.name == unicodedata.normalize("NFC", nfd_name)

            updated = DeptDossier(
                **{
                    **{f: getattr(created, f) for f in created.__dataclass_fields__},
                    "status": "processing",
                    "fee_vnd": 150_000,
                    "steps": (*created.steps, DeptStep(AT + timedelta(hours=2), "transfer")),
                    "version": 2,
                }
            )
            write_change(source, OutboxEventType.UPDATED, updated, occurred_at=AT)
            write_change(source, OutboxEventType.DELETED, doomed, occurred_at=AT)
            await _until_centre_matches(source, centre, alive)
            assert read_dossier(centre, updated.dossier_no) == _expected(updated)
            assert read_dossier(centre, doomed.dossier_no) is None

            # Every live dossier the simulator touched is equal, not only the hand-made ones.
            for no, row in _source_rows(source).items():
                assert read_dossier(centre, no) == _expected(row), json.dumps(no)
    finally:
        connector_stop.set()
        await asyncio.wait_for(publishing, timeout=30)
        source.dispose()
        centre.dispose()
    assert connector.stats.dead_lettered == 0
