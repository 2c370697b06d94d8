"""The `polling` kind on a real broker and a real land register (SQLite, PostgreSQL, MariaDB):
the contract suite on each, then what polling must get right: rows sharing a timestamp across
a page boundary, rows committed late, transactions still open, soft deletes, restarts, and
the land simulator's whole register arriving on the bus."""

import asyncio
import sys
import time
import uuid
from asyncio.subprocess import PIPE, STDOUT
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, insert, select, update

from connectors.contract import Domain
from connectors.dead_letter import ERRORS_EXCEPTION_MESSAGE
from connectors.land import (
    ParcelRecord,
    ensure_land_schema,
    land_engine,
    latest_parcels,
    parcels_options,
    parcels_table,
)
from connectors.polling import PollingSource, PollPosition
from connectors.spec import ConnectorSpec
from lienthong.errors import RetriableError
from lienthong.events import AdminCodeList, ChangeEvent, LandParcelChange, Operation
from lienthong.events.land import LandHolder, LandHolderKind, LandUse
from lienthong.ids import ConnectorName
from lienthong.settings import Settings
from tests.conftest import free_port
from tests.integration.connector_contract import (
    ConnectorContract,
    Published,
    read_committed,
    running_connector,
    wait_for,
)
from tests.integration.connector_support import fresh_mariadb_database, write_in_transactions

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

LAND = Domain.LAND_PARCELS


@dataclass
class Register:
    """A land register's `parcels` table, written the way the land system writes it."""

    engine: Engine
    dsn: str

    def now(self, conn: Connection) -> datetime:
        """The database's clock, as the register stamps `updated_at` (SQLite: this machine's)."""
        if conn.dialect.name == "sqlite":
            return datetime.now(UTC)
        mysql = conn.dialect.name in ("mysql", "mariadb")
        stamp: datetime = conn.execute(select(func.now(6) if mysql else func.now())).scalar_one()
        return stamp

    def put(self, conn: Connection, key: str, seq: int, *, at: Any = None, **values: Any) -> None:
        """Seq 1 registers parcel `key`; later seqs change it; `row_version` is the seq."""
        stamp = self.now(conn) if at is None else at
        if seq == 1:
            row = {**parcel(key).to_row(), "updated_at": stamp, **values}
            conn.execute(insert(parcels_table).values(row))
            return
        conn.execute(
            update(parcels_table)
            .where(parcels_table.c.parcel_id == key)
            .values(row_version=seq, updated_at=stamp, address=f"Xóm {seq}", **values)
        )

    async def write(self, changes: Sequence[tuple[str, int]], **values: Any) -> None:
        """One transaction per change, in order."""

        def put(conn: Connection, change: tuple[str, int]) -> None:
            self.put(conn, *change, **values)

        await write_in_transactions(self.engine, changes, put)


def parcel(key: str) -> ParcelRecord:
    return ParcelRecord(
        parcel_id=key,
        commune_code="16681",
        code_list=AdminCodeList.VN2025,
        map_sheet_no=7,
        parcel_no=1 + uuid.uuid5(uuid.NAMESPACE_URL, key).int % 9000,
        area_m2=Decimal("120.50"),
        land_uses=(LandUse(use_type_code="ODT", area_m2=Decimal("120.50"), term="Lâu dài"),),
        holders=(LandHolder(kind=LandHolderKind.INDIVIDUAL, name="Lê Thị Thu Hằng"),),
        address="Xóm 1, Xã Nghi Lộc, tỉnh Nghệ An",
    )


@pytest.fixture
def mariadb_dsn() -> Iterator[str]:
    """A fresh, empty MariaDB database for one test, dropped afterwards."""
    yield from fresh_mariadb_database()


def register_on(request: pytest.FixtureRequest, database: str, tmp_path: Path) -> Register:
    if database == "sqlite":
        dsn = f"sqlite:///{tmp_path / 'land.db'}"
    elif database == "postgresql":
        dsn = request.getfixturevalue("postgres_dsn")
    else:
        dsn = request.getfixturevalue("mariadb_dsn")
    engine = land_engine(dsn)
    ensure_land_schema(engine)
    return Register(engine, dsn)


def polling_spec(settings: Settings, dsn: str, **options: Any) -> ConnectorSpec:
    batch_size = options.pop("batch_size", 4)
    chosen = {"delay_s": 0.3, "poll_interval_s": 0.1, **options}
    return ConnectorSpec(
        name=ConnectorName(f"{settings.connector.name}-land"),
        kind="polling",
        agency="000.00.15.H41",
        system="vbdlis",
        domains=("land_parcels",),
        batch_size=batch_size,
        options=parcels_options(dsn, **chosen),
    )


@dataclass
class PollingHarness:
    spec: ConnectorSpec
    settings: Settings
    register: Register
    coalesces: bool = True

    def make_source(self) -> PollingSource:
        return PollingSource(self.spec, self.settings)

    async def write(self, changes: Sequence[tuple[str, int]]) -> None:
        await self.register.write(changes)

    def seq_of(self, event: ChangeEvent) -> int:
        assert isinstance(event, LandParcelChange)
        state = event.after or event.before
        assert state is not None
        return state.version

    async def write_invalid(self) -> str:
        await self.register.write([("broken", 1)], holders="[{not json")
        return "holders is not valid JSON"


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "mariadb"]
SQLITE_AND_POSTGRES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def harness(
    request: pytest.FixtureRequest, bus_settings: Settings, tmp_path: Path
) -> Iterator[PollingHarness]:
    register = register_on(request, request.param, tmp_path)
    yield PollingHarness(polling_spec(bus_settings, register.dsn), bus_settings, register)
    register.engine.dispose()


@pytest.fixture(params=SQLITE_AND_POSTGRES)
def register(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Register]:
    chosen = register_on(request, request.param, tmp_path)
    yield chosen
    chosen.engine.dispose()


class TestPollingContract(ConnectorContract):
    pass


def keys_of(events: list[Published]) -> list[str]:
    return [p.event.envelope.entity_key for p in events]


def has_keys(keys: set[str]) -> Callable[[list[Published]], bool]:
    return lambda found: keys <= set(keys_of(found))


async def polled(source: PollingSource, task: asyncio.Task[None], times: int) -> None:
    """Wait until the source has read its database `times` more times."""
    target = source.polls + times
    deadline = time.monotonic() + 30
    while source.polls < target:
        assert time.monotonic() < deadline and not task.done(), "the source stopped polling"
        await asyncio.sleep(0.05)


async def test_rows_sharing_a_timestamp_across_pages_are_all_published(
    bus_settings: Settings, register: Register
) -> None:
    keys = [f"same-{i}" for i in range(7)]

    def write_together() -> None:
        with register.engine.begin() as conn:
            stamp = register.now(conn)
            for key in keys:
                register.put(conn, key, 1, at=stamp)

    await asyncio.to_thread(write_together)
    spec = polling_spec(bus_settings, register.dsn, batch_size=3)
    async with running_connector(PollingSource(spec, bus_settings), bus_settings) as (
        runner,
        task,
    ):
        events = await wait_for(bus_settings, LAND, task, has_keys(set(keys)))
        assert runner.stats.batches >= 3, "pages of three split the seven rows"
    assert sorted(keys_of(events)) == keys, "each once"
    with register.engine.connect() as conn:
        last_id = conn.execute(select(func.max(parcels_table.c.id))).scalar_one()
    assert runner.stats.position is not None
    assert PollPosition.from_text(runner.stats.position).id == last_id


async def test_a_row_committed_late_within_the_delay_is_not_missed(
    bus_settings: Settings, register: Register
) -> None:
    spec = polling_spec(bus_settings, register.dsn, delay_s=2.5)
    source = PollingSource(spec, bus_settings)
    async with running_connector(source, bus_settings) as (_, task):
        await polled(source, task, times=1)
        with register.engine.connect() as conn:
            # A transaction that takes its timestamp now and commits only later.
            late_stamp = register.now(conn)
        await register.write([("early-commit", 1)])
        await polled(source, task, times=5)  # it has looked since the newer row committed
        await register.write([("late-commit", 1)], at=late_stamp)
        events = await wait_for(bus_settings, LAND, task, has_keys({"early-commit", "late-commit"}))
    assert sorted(keys_of(events)) == ["early-commit", "late-commit"]


@pytest.mark.parametrize(
    "database", [pytest.param("postgresql", marks=pytest.mark.postgres), "mariadb"]
)
async def test_the_horizon_waits_for_a_transaction_still_open(
    request: pytest.FixtureRequest, bus_settings: Settings, tmp_path: Path, database: str
) -> None:
    register = register_on(request, database, tmp_path)
    spec = polling_spec(bus_settings, register.dsn, delay_s=0.2)
    source = PollingSource(spec, bus_settings)
    long_running = register.engine.connect()
    try:
        async with running_connector(source, bus_settings) as (runner, task):
            # Stamped when its transaction starts, committed long after newer rows.
            transaction = long_running.begin()
            register.put(long_running, "slow", 1)
            await register.write([("quick", 1)])
            await polled(source, task, times=10)  # a second of polls: well past `delay_s`
            assert runner.stats.published == 0, "nothing passes the open transaction's start"
            await asyncio.to_thread(transaction.commit)
            events = await wait_for(bus_settings, LAND, task, has_keys({"slow", "quick"}))
        assert sorted(keys_of(events)) == ["quick", "slow"]
    finally:
        long_running.close()
        register.engine.dispose()


async def test_a_soft_delete_is_published_as_a_delete_then_a_tombstone(
    bus_settings: Settings, register: Register
) -> None:
    spec = polling_spec(bus_settings, register.dsn)
    async with running_connector(PollingSource(spec, bus_settings), bus_settings) as (_, task):
        await register.write([("to-cancel", 1)])
        await wait_for(bus_settings, LAND, task, has_keys({"to-cancel"}))
        await register.write([("to-cancel", 2)], deleted=True)
        events = await wait_for(bus_settings, LAND, task, lambda found: len(found) == 2)
    delete = events[-1].event
    assert isinstance(delete, LandParcelChange)
    assert delete.envelope.operation is Operation.DELETE
    assert delete.after is None and delete.before is not None and delete.before.version == 2
    records = await read_committed(bus_settings, LAND.topic(bus_settings.topics))
    assert records[-1].key == b"to-cancel" and records[-1].value is None


async def test_each_rows_commune_code_list_reaches_the_envelope(
    bus_settings: Settings, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    register = register_on(request, "sqlite", tmp_path)
    spec = polling_spec(bus_settings, register.dsn)
    async with running_connector(PollingSource(spec, bus_settings), bus_settings) as (_, task):
        await register.write([("filed-2004", 1)], commune_code="17683", code_list="VN2004")
        await register.write([("bad-list", 1)], code_list="VN1999")
        await register.write([("filed-2025", 1)], commune_code="16681", code_list="VN2025")
        events = await wait_for(bus_settings, LAND, task, has_keys({"filed-2004", "filed-2025"}))
    register.engine.dispose()
    envelopes = {p.event.envelope.entity_key: p.event.envelope for p in events}
    assert set(envelopes) == {"filed-2004", "filed-2025"}
    old, new = envelopes["filed-2004"], envelopes["filed-2025"]
    assert (old.admin_unit_code, old.admin_code_list) == ("17683", AdminCodeList.VN2004)
    assert (new.admin_unit_code, new.admin_code_list) == ("16681", AdminCodeList.VN2025)
    topic = LAND.topic(bus_settings.topics)
    dead = await read_committed(bus_settings, bus_settings.topics.dead_letter(topic))
    assert [record.key for record in dead] == [b"bad-list"]
    headers = {name: value.decode("utf-8") for name, value in dead[0].headers}
    assert "'VN1999' is not an administrative code list" in headers[ERRORS_EXCEPTION_MESSAGE]


async def test_a_restarted_connector_resumes_after_what_it_published(
    bus_settings: Settings, register: Register
) -> None:
    spec = polling_spec(bus_settings, register.dsn)
    first_keys = {"resume-a", "resume-b", "resume-c"}
    async with running_connector(PollingSource(spec, bus_settings), bus_settings) as (
        first,
        task,
    ):
        await register.write([(key, 1) for key in sorted(first_keys)])
        await wait_for(bus_settings, LAND, task, has_keys(first_keys))
    await register.write([("resume-a", 2), ("resume-d", 1), ("resume-e", 1)])
    async with running_connector(PollingSource(spec, bus_settings), bus_settings) as (
        second,
        task,
    ):
        events = await wait_for(bus_settings, LAND, task, lambda found: len(found) >= 6)
    assert (first.stats.published, second.stats.published) == (3, 3)
    ids = [p.event.envelope.event_id for p in events]
    assert len(ids) == len(set(ids)) == 6


async def test_the_simulated_register_arrives_as_it_stands(
    bus_settings: Settings, tmp_path: Path
) -> None:
    dsn = f"sqlite:///{tmp_path / 'register.db'}"
    simulate = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import typer; from lienthong.cli.simulate_land import land; typer.run(land)",
        *("--dsn", dsn, "--events", "80", "--rate", "1000", "--seed", "3"),
        stdout=PIPE,
        stderr=STDOUT,
    )
    output, _ = await asyncio.wait_for(simulate.communicate(), 120)
    assert simulate.returncode == 0, output.decode()
    assert "80 changes in sqlite:///" in output.decode()
    engine = land_engine(dsn)
    with engine.connect() as conn:
        stored = {
            row.parcel_id: (row.row_version, bool(row.deleted))
            for row in conn.execute(select(parcels_table))
        }
    in_force = {p.parcel_id for p in latest_parcels(engine)}
    engine.dispose()
    spec = polling_spec(bus_settings, dsn, batch_size=50)
    async with running_connector(PollingSource(spec, bus_settings), bus_settings) as (_, task):
        events = await wait_for(
            bus_settings, LAND, task, lambda found: set(keys_of(found)) == set(stored)
        )
    newest: dict[str, tuple[int, bool]] = {}
    for published in events:
        envelope = published.event.envelope
        newest[envelope.entity_key] = (
            envelope.entity_version,
            envelope.operation is Operation.DELETE,
        )
    assert newest == stored, "each parcel's last event is its row as it stands"
    for published in events:
        assert isinstance(published.event, LandParcelChange)
        state = published.event.after or published.event.before
        envelope = published.event.envelope
        assert state is not None
        assert (envelope.admin_unit_code, envelope.admin_code_list) == (
            state.commune_code,
            state.commune_code_list,
        ), "the envelope names the row's commune under the list its code follows"
    latest = {
        p.event.envelope.entity_key
        for p in events
        if isinstance(p.event, LandParcelChange) and p.event.after and p.event.after.is_latest
    }
    assert in_force <= latest


async def test_a_database_that_is_down_is_retried_not_fatal(bus_settings: Settings) -> None:
    dsn = f"postgresql://lienthong@127.0.0.1:{free_port()}/land"
    spec = polling_spec(bus_settings, dsn)
    source = PollingSource(spec, bus_settings)
    with pytest.raises(RetriableError, match="database unavailable"):
        async for _ in source.read(None, asyncio.Event()):
            pass
    await source.close()
