"""The pgcdc kind on a real PostgreSQL (wal_level=logical) and a real broker: the contract
suite, then the snapshot, its resumption after a crash, streaming and the heartbeat."""

import asyncio
import json
import sys
import time
import uuid
from asyncio.subprocess import DEVNULL
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from connectors.contract import Domain, Source
from connectors.pgcdc import PgCdcSource
from connectors.spec import ConnectorSpec
from lienthong.events import AdminCodeList, ChangeEvent, LandParcelChange, Operation
from lienthong.ids import ConnectorName
from lienthong.settings import Settings
from tests.cli_env import lienthong_env
from tests.integration.connector_contract import (
    ConnectorContract,
    kill,
    published_events,
    read_committed,
    running_connector,
    wait_for,
)
from tests.integration.pgcdc_support import table_options

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.timeout(300)]

_TABLE = """
CREATE SCHEMA land;
CREATE TABLE land.parcels (
    parcel_id text PRIMARY KEY,
    commune_code text NOT NULL,
    code_list text,
    so_to integer NOT NULL,
    so_thua integer NOT NULL,
    version integer NOT NULL,
    is_latest boolean NOT NULL DEFAULT true,
    area_m2 numeric(12, 2) NOT NULL,
    land_uses jsonb NOT NULL DEFAULT '[]',
    holders text NOT NULL DEFAULT '[]',
    address text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE land.audit_log (id bigserial PRIMARY KEY, note text);
"""
_INSERT = """
INSERT INTO land.parcels
    (parcel_id, commune_code, so_to, so_thua, version, area_m2, land_uses, holders, address)
VALUES (%s, '04570', %s, %s, %s, %s, %s, %s, %s)
"""
_HOLDERS = json.dumps([{"kind": "INDIVIDUAL", "name": "Nguyễn Văn An"}], ensure_ascii=False)


@dataclass
class LandDatabase:
    """The land department's database, written as its application would."""

    dsn: str
    serial: int = 0
    slots: list[str] = field(default_factory=list)

    async def execute(self, *statements: tuple[str, Sequence[Any]]) -> None:
        async with await psycopg.AsyncConnection.connect(self.dsn) as conn:
            for query, params in statements:
                await conn.execute(query, params)

    def insert(self, key: str, seq: int, area: str = "120.50") -> tuple[str, Sequence[Any]]:
        self.serial += 1
        uses = json.dumps([{"use_type_code": "ONT", "area_m2": 100.5}])
        return _INSERT, (key, 3, self.serial, seq, area, uses, _HOLDERS, "Thôn Đông, xã Hoà")

    @staticmethod
    def update(key: str, seq: int) -> tuple[str, Sequence[Any]]:
        return (
            "UPDATE land.parcels SET version = %s, area_m2 = area_m2 + 1 WHERE parcel_id = %s",
            (seq, key),
        )

    async def slot_lsn(self, slot: str) -> int | None:
        """Where the slot stands, as a number; None while it does not exist."""
        async with await psycopg.AsyncConnection.connect(self.dsn) as conn:
            query = (
                "SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots "
                "WHERE slot_name = %s AND confirmed_flush_lsn IS NOT NULL"  # NULL: being created
            )
            row = await (await conn.execute(query, (slot,))).fetchone()
            return None if row is None else int(row[0])

    async def flushed_lsn(self) -> int:
        async with await psycopg.AsyncConnection.connect(self.dsn) as conn:
            query = "SELECT pg_current_wal_flush_lsn() - '0/0'::pg_lsn"
            row = await (await conn.execute(query)).fetchone()
            assert row is not None
            return int(row[0])


@pytest.fixture
async def land_db(postgres_dsn: str) -> AsyncIterator[LandDatabase]:
    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as conn:
        await conn.execute(_TABLE)
    database = LandDatabase(postgres_dsn)
    yield database
    await _drop_slots(postgres_dsn)


async def _drop_slots(dsn: str) -> None:
    """A database with replication slots cannot be dropped; the WAL they hold would pile up."""
    deadline = time.monotonic() + 30
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        while True:
            rows = await (
                await conn.execute(
                    "SELECT slot_name, active_pid FROM pg_replication_slots "
                    "WHERE database = current_database()"
                )
            ).fetchall()
            if not rows:
                return
            for slot, pid in rows:
                if pid is None:
                    await conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
                else:
                    await conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
            assert time.monotonic() < deadline, f"slots still in use: {rows}"
            await asyncio.sleep(0.1)


def pgcdc_spec(settings: Settings, dsn: str, **options: Any) -> ConnectorSpec:
    return ConnectorSpec(
        name=ConnectorName(f"{settings.connector.name}-pgcdc"),
        kind=PgCdcSource.kind,
        agency="000.00.00.G12",
        system="vbdlis",
        domains=("land_parcels",),
        batch_size=options.pop("batch_size", 50),
        options={
            "dsn": dsn,
            "tables": [table_options()],
            "poll_interval_s": 0.1,
            **options,
        },
    )


@dataclass
class PgCdcHarness:
    spec: ConnectorSpec
    settings: Settings
    db: LandDatabase
    coalesces: bool = False

    def make_source(self) -> Source:
        return PgCdcSource(self.spec, self.settings)

    @property
    def slot(self) -> str:
        return PgCdcSource(self.spec, self.settings).slot

    async def write(self, changes: Sequence[tuple[str, int]]) -> None:
        """One transaction for them all: a crash can land in the middle of it.

        The log holds only what is written once the connector's slot exists (earlier rows
        reach Kafka through the snapshot, tested on its own below), so this waits for it."""
        deadline = time.monotonic() + 120
        while await self.db.slot_lsn(self.slot) is None:
            assert time.monotonic() < deadline, f"slot {self.slot} never created"
            await asyncio.sleep(0.05)
        await self.db.execute(
            *[
                self.db.insert(key, seq) if seq == 1 else self.db.update(key, seq)
                for key, seq in changes
            ]
        )

    def seq_of(self, event: ChangeEvent) -> int:
        assert isinstance(event, LandParcelChange) and event.after is not None
        return event.after.version

    async def write_invalid(self) -> str:
        await self.db.execute(self.db.insert(f"{self.spec.name}-bad", 1, area="-5.00"))
        return "area_m2"


@pytest.fixture
def harness(bus_settings: Settings, land_db: LandDatabase) -> PgCdcHarness:
    spec = pgcdc_spec(bus_settings, land_db.dsn, snapshot="never")
    return PgCdcHarness(spec, bus_settings, land_db)


class TestPgCdcContract(ConnectorContract):
    pass


def land_changes(events: Sequence[Any]) -> list[LandParcelChange]:
    changes = [published.event for published in events]
    assert all(isinstance(change, LandParcelChange) for change in changes)
    return changes


async def test_snapshot_then_inserts_updates_and_deletes_stream_with_before_images(
    bus_settings: Settings, land_db: LandDatabase
) -> None:
    await land_db.execute(*[land_db.insert(f"P-{i}", 1) for i in range(5)])
    await land_db.execute(("ALTER TABLE land.parcels REPLICA IDENTITY FULL", ()))
    await land_db.execute(
        ("UPDATE land.parcels SET code_list = '2004' WHERE parcel_id = 'P-0'", ())
    )
    spec = pgcdc_spec(bus_settings, land_db.dsn)
    async with running_connector(PgCdcSource(spec, bus_settings), bus_settings) as (_, task):
        snapshot = await wait_for(bus_settings, Domain.LAND_PARCELS, task, lambda e: len(e) == 5)
        await land_db.execute(land_db.insert("P-new", 1), land_db.update("P-0", 2))
        await land_db.execute(("DELETE FROM land.parcels WHERE parcel_id = 'P-1'", ()))
        events = await wait_for(bus_settings, Domain.LAND_PARCELS, task, lambda e: len(e) == 8)
    first = land_changes(snapshot)
    assert {c.envelope.operation for c in first} == {Operation.SNAPSHOT}
    assert sorted(c.envelope.entity_key for c in first) == [f"P-{i}" for i in range(5)]
    parcel = first[0].after
    assert parcel is not None and parcel.map_sheet_no == 3 and parcel.holders[0].name
    assert first[0].envelope.admin_unit_code == "04570"
    code_lists = {c.envelope.entity_key: c.envelope.admin_code_list for c in first}
    assert code_lists["P-0"] is AdminCodeList.VN2004, "the row's code list"
    assert code_lists["P-1"] is AdminCodeList.VN2025, "NULL: the connector's code list"
    streamed = {
        c.envelope.operation: c
        for c in land_changes(events)
        if c.envelope.operation is not Operation.SNAPSHOT
    }
    created, updated = streamed[Operation.CREATE], streamed[Operation.UPDATE]
    deleted = streamed[Operation.DELETE]
    assert (created.envelope.operation, created.envelope.entity_key) == (Operation.CREATE, "P-new")
    assert updated.envelope.operation is Operation.UPDATE
    assert updated.before is not None and updated.after is not None
    assert (updated.before.version, updated.after.version) == (1, 2)
    assert updated.envelope.admin_code_list is AdminCodeList.VN2004
    assert created.envelope.admin_code_list is AdminCodeList.VN2025
    assert updated.after.area_m2 == updated.before.area_m2 + 1
    assert deleted.envelope.operation is Operation.DELETE and deleted.after is None
    assert deleted.before is not None and deleted.before.parcel_id == "P-1"
    snapshot_version = max(c.envelope.entity_version for c in first)
    assert updated.envelope.entity_version > snapshot_version, "a later change wins"
    records = await read_committed(bus_settings, bus_settings.topics.land_parcels)
    tombstones = [r for r in records if r.value is None]
    assert [r.key for r in tombstones] == [b"P-1"], "a delete is followed by its tombstone"


async def test_a_snapshot_killed_midway_resumes_without_duplicates_then_streams(
    bus_settings: Settings, land_db: LandDatabase
) -> None:
    rows = 300
    await land_db.execute(*[land_db.insert(f"S-{i:04d}", 1) for i in range(rows)])
    spec = pgcdc_spec(bus_settings, land_db.dsn, batch_size=5, snapshot_chunk=7)
    async with running_connector(PgCdcSource(spec, bus_settings), bus_settings) as (runner, task):
        deadline = time.monotonic() + 120
        while runner.stats.published < 40:
            assert not task.done() and time.monotonic() < deadline, "the snapshot started"
            await asyncio.sleep(0.005)
        await kill(task)
    published_before_kill = runner.stats.published
    assert published_before_kill < rows, "killed in the middle of the snapshot"
    async with running_connector(PgCdcSource(spec, bus_settings), bus_settings) as (_, task):
        await wait_for(bus_settings, Domain.LAND_PARCELS, task, lambda e: len(e) >= rows)
        await land_db.execute(land_db.insert("S-after", 1))
        events = await wait_for(
            bus_settings,
            Domain.LAND_PARCELS,
            task,
            lambda e: "S-after" in {p.event.envelope.entity_key for p in e},
        )
    changes = land_changes(events)
    snapshot_keys = Counter(
        c.envelope.entity_key for c in changes if c.envelope.operation is Operation.SNAPSHOT
    )
    assert snapshot_keys == Counter({f"S-{i:04d}": 1 for i in range(rows)}), "each row once"
    assert len({c.envelope.event_id for c in changes}) == len(changes)
    streamed = [c for c in changes if c.envelope.operation is not Operation.SNAPSHOT]
    assert [(c.envelope.operation, c.envelope.entity_key) for c in streamed] == [
        (Operation.CREATE, "S-after")
    ]


async def test_when_idle_the_heartbeat_moves_the_slot_past_other_tables_wal(
    bus_settings: Settings, land_db: LandDatabase
) -> None:
    slot = f"t_{uuid.uuid4().hex}"
    spec = pgcdc_spec(bus_settings, land_db.dsn, heartbeat_s=0.2, slot=slot)
    async with running_connector(PgCdcSource(spec, bus_settings), bus_settings) as (runner, task):
        deadline = time.monotonic() + 60
        while (created_at := await land_db.slot_lsn(slot)) is None:
            assert not task.done() and time.monotonic() < deadline, "the slot was created"
            await asyncio.sleep(0.05)
        await land_db.execute(("INSERT INTO land.audit_log (note) VALUES ('not captured')", ()))
        written = await land_db.flushed_lsn()
        assert written > created_at
        while (at := await land_db.slot_lsn(slot)) is not None and at < written:
            assert not task.done() and time.monotonic() < deadline, "the slot moved on"
            await asyncio.sleep(0.1)
    assert await published_events(bus_settings, Domain.LAND_PARCELS) == []
    assert runner.stats.published == 0


async def test_connect_run_killed_mid_snapshot_finishes_it_without_starting_over(
    bus_settings: Settings, land_db: LandDatabase, tmp_path: Path
) -> None:
    """SIGKILL, not a cancel: the process gets no chance to clean up or store anything."""
    rows = 2000  # batches of 10: the snapshot takes seconds, the kill lands inside it
    await land_db.execute(*[land_db.insert(f"K-{i:04d}", 1) for i in range(rows)])
    spec = pgcdc_spec(bus_settings, land_db.dsn, batch_size=10, snapshot_chunk=25)
    connectors = tmp_path / "connectors.yaml"
    entry = spec.model_dump(mode="json")
    entry["options"]["dsn"] = "${LAND_DSN}"
    connectors.write_text(json.dumps({"connectors": [entry]}), encoding="utf-8")  # JSON is YAML too
    topic = bus_settings.topics.land_parcels
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lienthong", "connect", "run", str(connectors),
        env=lienthong_env(bus_settings, LIENTHONG_LOG__JSON_LINES="true", LAND_DSN=land_db.dsn),
        stdout=DEVNULL, stderr=DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while len(await read_committed(bus_settings, topic)) < 60:
            assert process.returncode is None, "the connector died by itself"
            assert time.monotonic() < deadline, "the snapshot never started"
            await asyncio.sleep(0.1)
    finally:
        process.kill()
        await asyncio.wait_for(process.wait(), 30)
    before_kill = len(await read_committed(bus_settings, topic))
    assert before_kill < rows, "killed in the middle of the snapshot"

    async with running_connector(PgCdcSource(spec, bus_settings), bus_settings) as (runner, task):
        events = await wait_for(bus_settings, Domain.LAND_PARCELS, task, lambda e: len(e) >= rows)
    keys = Counter(p.event.envelope.entity_key for p in events)
    assert keys == Counter({f"K-{i:04d}": 1 for i in range(rows)}), "each row exactly once"
    assert runner.stats.published == rows - before_kill, "the snapshot was not started over"
