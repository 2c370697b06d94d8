"""`reconcile` on real databases: a source the simulator wrote, a centre fed from its outbox,
corrupted on purpose; then `repair` re-publishes exactly the drift through the outbox.

The centre is fed the way the pipeline feeds it (the connector's mapping, the centre's store)
without Kafka; the last test runs the real connector and worker on the session's broker.
"""

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, delete, insert, select, update

from connectors.motcua import (
    DeptDossier,
    OutboxEventType,
    OutboxReader,
    Simulator,
    SourceIdentity,
    create_source_engine,
    ensure_source_schema,
    to_dossier_change,
    write_change,
)
from connectors.motcua.outbox import motcua_outbox_runner
from connectors.motcua.source_tables import dossiers_table, outbox_table
from lienthong.ids import TopicName
from lienthong.reconcile import DriftKind, ReconcileReport, reconcile
from lienthong.settings import CentreSettings, Settings, SourceSettings
from streams.centre import CentreBatch, open_centre, write_batch
from streams.centre.schema import DOSSIERS
from tests.integration.test_streams_worker import running_worker

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
EXTRA_KEY = "H41.99-EXTRA-0001"
WAIT_S = 90.0


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    local = Settings(var_dir=tmp_path / "var")
    if request.param == "sqlite":
        return local
    create: Callable[[], str] = request.getfixturevalue("postgres_databases")
    return local.model_copy(
        update={
            "source": SourceSettings(dsn=SecretStr(create())),
            "centre": CentreSettings(dsn=SecretStr(create())),
        }
    )


@pytest.fixture
def engines(settings: Settings) -> Iterator[tuple[Engine, Engine]]:
    source = create_source_engine(settings)
    ensure_source_schema(source)
    centre = open_centre(settings)
    try:
        yield source, centre
    finally:
        source.dispose()
        centre.dispose()


def feed_centre(settings: Settings, source: Engine, centre: Engine, after: int = 0) -> int:
    """Apply the outbox rows after `after` to the centre as the pipeline would: the connector's
    mapping, then the centre's store. Returns the newest outbox id applied."""
    identity = SourceIdentity(settings.source.agency_id, settings.source.system_id)
    rows = OutboxReader(source).read_after(after, 100_000)
    batch = CentreBatch()
    for row in rows:
        batch.add(to_dossier_change(row, identity, NOW), TopicName("motcua.dossiers"), 0, row.id)
    write_batch(centre, "reconcile-test", batch)
    return rows[-1].id if rows else after


def source_rows(source: Engine) -> dict[str, dict[str, Any]]:
    with source.connect() as conn:
        rows = conn.execute(select(dossiers_table).order_by(dossiers_table.c.dossier_no))
        return {row["dossier_no"]: dict(row) for row in rows.mappings()}


def outbox_after(source: Engine, after: int) -> list[dict[str, Any]]:
    with source.connect() as conn:
        query = select(outbox_table).where(outbox_table.c.id > after).order_by(outbox_table.c.id)
        return [dict(row) for row in conn.execute(query).mappings()]


def corrupt(centre: Engine, rows: dict[str, dict[str, Any]]) -> dict[DriftKind, str]:
    """One key per kind of drift a broken centre can show; returns which key has which."""
    keys = sorted(rows)
    behind, ahead, *_ = [k for k in keys if rows[k]["version"] >= 2]
    missing, different, *_ = [k for k in keys if k not in (behind, ahead)]
    chosen = {
        DriftKind.MISSING: missing,
        DriftKind.DIFFERENT: different,
        DriftKind.BEHIND: behind,
        DriftKind.AHEAD: ahead,
        DriftKind.EXTRA: EXTRA_KEY,
    }
    row = DOSSIERS.c.dossier_no
    with centre.begin() as conn:
        template = conn.execute(select(DOSSIERS).where(row == keys[-1])).mappings().one()
        conn.execute(insert(DOSSIERS).values({**template, "dossier_no": EXTRA_KEY}))
        conn.execute(delete(DOSSIERS).where(row == chosen[DriftKind.MISSING]))
        conn.execute(
            update(DOSSIERS)
            .where(row == chosen[DriftKind.DIFFERENT])
            .values(applicant_name="Tên bị sửa tay")
        )
        version = DOSSIERS.c.entity_version
        conn.execute(
            update(DOSSIERS).where(row == chosen[DriftKind.BEHIND]).values({version: version - 1})
        )
        conn.execute(
            update(DOSSIERS).where(row == chosen[DriftKind.AHEAD]).values({version: version + 5})
        )
    return chosen


def found(report: ReconcileReport) -> dict[DriftKind, list[str]]:
    return {kind: [s.key for s in samples] for kind, samples in report.samples.items()}


def test_a_centre_fed_from_the_outbox_is_in_sync(
    settings: Settings, engines: tuple[Engine, Engine]
) -> None:
    source, centre = engines
    Simulator(source, seed=11, clock=lambda: NOW).steps(120)
    feed_centre(settings, source, centre)

    report = reconcile(settings, chunk_size=7)

    live = len(source_rows(source))
    assert live > 20
    assert (report.source_dossiers, report.centre_dossiers, report.matching) == (live, live, live)
    assert report.in_sync and report.unrepaired == 0


def test_each_kind_of_drift_is_reported_and_repair_republishes_it(
    settings: Settings, engines: tuple[Engine, Engine]
) -> None:
    source, centre = engines
    Simulator(source, seed=5, clock=lambda: NOW).steps(120)
    position = feed_centre(settings, source, centre)
    before = source_rows(source)
    chosen = corrupt(centre, before)

    report = reconcile(settings, chunk_size=3)

    assert report.drift == {kind: 1 for kind in chosen}
    assert found(report) == {kind: [key] for kind, key in chosen.items()}
    assert (report.source_dossiers, report.centre_dossiers) == (len(before), len(before))
    (behind,) = report.samples[DriftKind.BEHIND]
    assert behind.source_version is not None
    assert behind.centre_version == behind.source_version - 1
    assert report.unrepaired == 5 and report.repair is None

    repaired = reconcile(settings, repair=True, chunk_size=2)

    assert repaired.repair is not None and repaired.unrepaired == 1  # the centre ahead stays
    written = outbox_after(source, position)
    assert {(r["aggregate_id"], r["event_type"]) for r in written} == {
        (chosen[DriftKind.MISSING], "snapshot"),
        (chosen[DriftKind.DIFFERENT], "snapshot"),
        (chosen[DriftKind.BEHIND], "snapshot"),
        (EXTRA_KEY, "deleted"),
    }
    assert {r["correlation_id"] for r in written} == {repaired.repair.correlation_id}
    assert [r.outbox_id for r in repaired.repair.first] == [r["id"] for r in written]
    assert source_rows(source) == before  # the department's rows are never touched

    feed_centre(settings, source, centre, after=position)
    after = reconcile(settings)
    assert after.drift == {DriftKind.AHEAD: 1}
    assert (after.source_dossiers, after.centre_dossiers) == (len(before), len(before))


def test_a_snapshot_is_only_ever_appended(engines: tuple[Engine, Engine]) -> None:
    source, _ = engines
    Simulator(source, seed=2, clock=lambda: NOW).steps(5)
    rows = source_rows(source)
    some = DeptDossier.from_row(next(iter(rows.values())))
    with pytest.raises(ValueError, match="append_outbox"):
        write_change(source, OutboxEventType.SNAPSHOT, some, occurred_at=NOW)
    assert source_rows(source) == rows


async def _until_in_sync(settings: Settings, check: Callable[[], None]) -> ReconcileReport:
    deadline = time.monotonic() + WAIT_S
    while True:
        report = await asyncio.to_thread(reconcile, settings)
        if report.in_sync:
            return report
        if time.monotonic() > deadline:
            pytest.fail(f"never in sync: {dict(report.drift)} {found(report)}")
        check()
        await asyncio.sleep(0.5)


async def test_repair_through_the_running_pipeline_brings_the_centre_back(
    bus_settings: Settings, tmp_path: Path
) -> None:
    settings = bus_settings
    source = create_source_engine(settings)
    ensure_source_schema(source)
    open_centre(settings).dispose()
    Simulator(source, seed=9).steps(60)
    stop = asyncio.Event()
    connector = motcua_outbox_runner(settings)
    publishing = asyncio.create_task(connector.run(stop))
    try:
        with running_worker(settings, tmp_path / "worker.log") as worker:

            def alive() -> None:
                assert worker.process.poll() is None, worker.log()
                assert not publishing.done(), publishing

            await _until_in_sync(settings, alive)
            centre = open_centre(settings)
            try:
                chosen = corrupt(centre, source_rows(source))
                with centre.begin() as conn:  # no event can fix a centre ahead of its source
                    ahead = DOSSIERS.c.dossier_no == chosen.pop(DriftKind.AHEAD)
                    conn.execute(delete(DOSSIERS).where(ahead))
            finally:
                centre.dispose()
            drifting = await asyncio.to_thread(reconcile, settings, repair=True)
            assert drifting.drift[DriftKind.MISSING] == 2 and drifting.unrepaired == 0
            assert drifting.repair is not None and drifting.repair.total == 5

            clean = await _until_in_sync(settings, alive)
            assert clean.source_dossiers == clean.centre_dossiers == clean.matching
    finally:
        stop.set()
        await asyncio.wait_for(publishing, timeout=30)
        source.dispose()
    assert connector.stats.dead_lettered == 0
