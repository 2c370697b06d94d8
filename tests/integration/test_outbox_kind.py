"""The `outbox` kind on a real broker and real SQLite, PostgreSQL and MariaDB outboxes: the
contract suite on each, then gaps left by open transactions, routes, the one-stop-shop's own
payload, and a database older than the stored position."""

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Connection, Engine, RootTransaction, create_engine, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import make_url

from connectors.contract import Domain
from connectors.dead_letter import ERRORS_EXCEPTION_MESSAGE
from connectors.motcua.department import OutboxEventType
from connectors.motcua.mapping import SourceIdentity, to_dossier_change
from connectors.motcua.outbox_reader import OutboxReader as MotcuaReader
from connectors.motcua.source_db import ensure_source_schema, write_change
from connectors.outbox import OutboxOptions, OutboxSource
from connectors.outbox.database import outbox_engine
from connectors.outbox.reader import OutboxReader
from connectors.runner import ConnectorRunner
from connectors.spec import ConnectorSpec
from lienthong.errors import ConfigurationError
from lienthong.events import AdminCodeList, ChangeEvent, DossierChange, Operation
from lienthong.ids import ConnectorName
from lienthong.settings import Settings
from tests.domain_factories import parcel_change
from tests.factories import AT, dept_dossier, dossier_change
from tests.integration.connector_contract import (
    ConnectorContract,
    published_events,
    read_committed,
    running_connector,
    wait_for,
)
from tests.integration.connector_support import fresh_mariadb_database, write_in_transactions

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

# MariaDB's harness renames every column, as a department's own schema would.
RENAMED = {
    "id": "seq_no",
    "aggregate_type": "agg_type",
    "aggregate_id": "agg_id",
    "event_type": "kind",
    "payload": "body",
    "occurred_at": "created_at",
    "event_id": "message_id",
}


@dataclass
class Department:
    """A department's outbox table, written the way its application writes it."""

    engine: Engine
    dsn: str
    columns: dict[str, str] = field(default_factory=dict)
    table_name: str = "outbox"

    def __post_init__(self) -> None:
        name = self.column
        payload = sa.JSON().with_variant(JSONB(), "postgresql")
        ident = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
        self.table = sa.Table(
            self.table_name,
            sa.MetaData(),
            sa.Column(name("id"), ident, primary_key=True, autoincrement=True),
            sa.Column(name("aggregate_type"), sa.String(64), nullable=False),
            sa.Column(name("aggregate_id"), sa.String(64), nullable=False),
            sa.Column(name("event_type"), sa.String(64)),
            sa.Column(name("payload"), payload),
            sa.Column(name("occurred_at"), sa.DateTime()),
            sa.Column(name("event_id"), sa.Uuid()),
            sqlite_autoincrement=True,
        )
        self.table.create(self.engine)

    def column(self, field_name: str) -> str:
        return self.columns.get(field_name, field_name)

    def append(self, aggregate_type: str, key: str, payload: Any, conn: Connection) -> None:
        name = self.column
        row = {
            name("aggregate_type"): aggregate_type,
            name("aggregate_id"): key,
            name("event_type"): "changed",
            name("payload"): payload,
            name("occurred_at"): datetime.now(UTC).replace(tzinfo=None),
            name("event_id"): uuid.uuid4() if "event_id" in self.columns else None,
        }
        conn.execute(sa.insert(self.table).values(row))

    async def write(self, rows: Sequence[tuple[str, str, Any]]) -> None:
        """One transaction per row, in order, as the department's changes happen."""

        def append(conn: Connection, row: tuple[str, str, Any]) -> None:
            self.append(*row, conn)

        await write_in_transactions(self.engine, rows, append)


def seq_of(event: ChangeEvent) -> int:
    assert isinstance(event, DossierChange) and event.after is not None
    found = re.fullmatch(r"processing-v(\d+)", event.after.status)
    assert found is not None
    return int(found.group(1))


def dossier_payload(key: str, seq: int) -> dict[str, Any]:
    dossier = dossier_change(key, seq).after
    assert dossier is not None
    operation = Operation.CREATE if seq == 1 else Operation.UPDATE
    return {
        "operation": operation,
        "version": seq,
        "occurred_at": AT.isoformat(),
        "after": dossier.model_dump(mode="json"),
    }


@dataclass
class OutboxHarness:
    spec: ConnectorSpec
    settings: Settings
    department: Department
    coalesces: bool = False

    def make_source(self) -> OutboxSource:
        return OutboxSource(self.spec, self.settings)

    async def write(self, changes: Sequence[tuple[str, int]]) -> None:
        await self.department.write([("Dossier", k, dossier_payload(k, s)) for k, s in changes])

    def seq_of(self, event: ChangeEvent) -> int:
        return seq_of(event)

    async def write_invalid(self) -> str:
        payload = dossier_payload("broken", 1)
        del payload["version"]
        await self.department.write([("Dossier", "broken", payload)])
        return "payload: version: Field required"


def outbox_options(department: Department, **options: Any) -> dict[str, Any]:
    return {
        "dsn": department.dsn,
        "table": department.table_name,
        "columns": {name: department.column(name) for name in department.columns},
        "routes": {"Dossier": "dossiers"},
        "poll_interval_s": 0.1,
        "gap_grace_s": 0.2,
        **options,
    }


def outbox_spec(settings: Settings, department: Department, **options: Any) -> ConnectorSpec:
    return ConnectorSpec(
        name=ConnectorName(f"{settings.connector.name}-outbox"),
        kind="outbox",
        agency="000.00.00.H41",
        system="dept",
        domains=("dossiers",),
        batch_size=4,
        options=outbox_options(department, **options),
    )


@pytest.fixture
def mariadb_dsn() -> Iterator[str]:
    """A fresh, empty MariaDB database for one test, dropped afterwards."""
    yield from fresh_mariadb_database()


def sqlite_department(path: Path) -> Department:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 10})
    return Department(engine, f"sqlite:///{path}")


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mysql),
    ]
)
def department(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Department]:
    if request.param == "sqlite":
        chosen = sqlite_department(tmp_path / "department.db")
    elif request.param == "postgresql":
        dsn = request.getfixturevalue("postgres_dsn")
        writer = make_url(dsn).set(drivername="postgresql+psycopg")
        chosen = Department(create_engine(writer), dsn)
    else:
        dsn = request.getfixturevalue("mariadb_dsn")
        chosen = Department(create_engine(dsn), dsn, dict(RENAMED), "dept_outbox")
    yield chosen
    chosen.engine.dispose()


@pytest.fixture
def harness(department: Department, bus_settings: Settings) -> OutboxHarness:
    return OutboxHarness(outbox_spec(bus_settings, department), bus_settings, department)


class TestOutboxContract(ConnectorContract):
    pass


async def settle(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        await asyncio.sleep(0.1)


@asynccontextmanager
async def gap_in(department: Department) -> AsyncIterator[RootTransaction]:
    """Rows 1 and 3 of dossier G-1 committed; row 2's transaction open until the caller ends it."""
    await department.write([("Dossier", "G-1", dossier_payload("G-1", 1))])
    with department.engine.connect() as holder:
        opened = holder.begin()
        department.append("Dossier", "G-1", dossier_payload("G-1", 2), holder)
        await department.write([("Dossier", "G-1", dossier_payload("G-1", 3))])
        if department.engine.dialect.name != "postgresql":  # InnoDB lists them from a cache
            thread = holder.execute(text("SELECT CONNECTION_ID()")).scalar_one()
            listed = (
                f"SELECT 1 FROM information_schema.innodb_trx WHERE trx_mysql_thread_id={thread}"
            )
            await settle(lambda: has_rows(department, listed), "the open transaction is listed")
        yield opened


def has_rows(department: Department, query: str) -> bool:
    with department.engine.connect() as conn:
        return conn.execute(text(query)).first() is not None


@pytest.mark.parametrize(
    "department",
    [
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mysql),
    ],
    indirect=True,
)
@pytest.mark.parametrize("outcome", ["commit", "rollback"])
async def test_a_gap_holds_the_reader_until_the_transaction_that_may_fill_it_ends(
    department: Department, outcome: str
) -> None:
    options = OutboxOptions.model_validate(outbox_options(department))
    engine, clock = outbox_engine(options.dsn), [0.0]
    reader = OutboxReader(engine, options, monotonic=lambda: clock[0])
    async with gap_in(department) as opened:
        assert [row.id for row in reader.read_after(0, 10)] == [1]
        assert reader.read_after(1, 10) == [], "row 3 is committed, row 2 may still be"
        clock[0] += options.gap_grace_s
        assert reader.read_after(1, 10) == [], "the horizon is taken, the writer still open"
        assert reader.read_after(1, 10) == []
        await asyncio.to_thread(opened.commit if outcome == "commit" else opened.rollback)
    found: list[int] = []

    def resolved() -> bool:
        found[:] = [row.id for row in reader.read_after(1, 10)]
        return bool(found)

    # A rollback is final once every transaction open at the horizon has ended, here or not.
    await settle(resolved, "the gap is resolved")
    assert found == ([2, 3] if outcome == "commit" else [3])
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("department", ["postgresql"], indirect=True)
async def test_the_connector_does_not_pass_an_open_transaction_then_publishes_in_order(
    department: Department, bus_settings: Settings
) -> None:
    source = OutboxSource(outbox_spec(bus_settings, department), bus_settings)
    # The gap rule's second query: the connector has taken its horizon and is waiting.
    waiting = (
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND query LIKE '%pg_snapshot_xmin%'"
    )
    async with (
        gap_in(department) as opened,
        running_connector(source, bus_settings) as (runner, task),
    ):
        await wait_for(bus_settings, Domain.DOSSIERS, task, bool)
        await settle(lambda: has_rows(department, waiting), "the connector waits on the gap")
        published = await published_events(bus_settings, Domain.DOSSIERS)
        assert [seq_of(p.event) for p in published] == [1], "nothing past the open transaction"
        await asyncio.to_thread(opened.commit)
        events = await wait_for(bus_settings, Domain.DOSSIERS, task, lambda f: len(f) >= 3)
    assert [seq_of(p.event) for p in events] == [1, 2, 3]
    assert runner.stats.position == "3"


@pytest.mark.parametrize("department", ["sqlite"], indirect=True)
async def test_aggregate_types_route_to_their_topics_and_unrouted_ones_are_dead_lettered(
    department: Department, bus_settings: Settings
) -> None:
    routes = {"Dossier": "dossiers", "LandParcel": "land_parcels"}
    spec = outbox_spec(bus_settings, department, routes=routes)
    spec = spec.model_copy(update={"domains": ("dossiers", "land_parcels")})
    parcel = parcel_change("P-1", 1).after
    assert parcel is not None
    parcel_payload = {
        "operation": "CREATE",
        "version": 1,
        "after": parcel.model_dump(mode="json"),
        "admin_unit_code": "17683",
        "admin_code_list": "VN2004",
    }
    unknown_list = {**dossier_payload("D-2", 1), "admin_code_list": "VN1999"}
    await department.write(
        [
            ("Dossier", "D-1", dossier_payload("D-1", 1)),
            ("Invoice", "INV-1", {"operation": "CREATE", "version": 1, "after": {}}),
            ("Dossier", "D-2", unknown_list),
            ("LandParcel", "P-1", parcel_payload),
        ]
    )
    async with running_connector(OutboxSource(spec, bus_settings), bus_settings) as (_, task):
        parcels = await wait_for(bus_settings, Domain.LAND_PARCELS, task, bool)
        dossiers = await published_events(bus_settings, Domain.DOSSIERS)
    assert [p.event.envelope.entity_key for p in dossiers] == ["D-1"]
    assert [p.event.envelope.entity_key for p in parcels] == ["P-1"]
    assert parcels[0].event.envelope.admin_code_list is AdminCodeList.VN2004
    assert dossiers[0].event.envelope.admin_code_list is AdminCodeList.VN2025, "the connector's"
    topics = bus_settings.topics
    dead = await read_committed(bus_settings, topics.dead_letter(topics.dossiers))
    reasons = {record.key: dict(record.headers)[ERRORS_EXCEPTION_MESSAGE] for record in dead}
    assert sorted(reasons) == [b"D-2", b"INV-1"]
    assert b"aggregate type 'Invoice' has no route" in reasons[b"INV-1"]
    assert b"'VN1999' is not an administrative code list" in reasons[b"D-2"]


async def test_the_motcua_payload_is_published_as_the_one_stop_shop_connector_publishes_it(
    bus_settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "motcua.db"
    engine = create_engine(f"sqlite:///{path}")
    ensure_source_schema(engine)
    created, updated = dept_dossier("M-1", AT), dept_dossier("M-1", AT, name="Ánh", version=2)
    for event_type, dossier in (("created", created), ("updated", updated), ("deleted", updated)):
        write_change(
            engine, OutboxEventType(event_type), dossier, occurred_at=AT, correlation_id="c"
        )
    options = {
        "dsn": f"sqlite:///{path}",
        "payload_format": "motcua",
        "routes": {"dossier": "dossiers"},
        "columns": {"correlation_id": "correlation_id", "causation_id": "causation_id"},
    }
    spec = ConnectorSpec(
        name=ConnectorName(f"{bus_settings.connector.name}-motcua"),
        kind="outbox",
        agency="000.00.00.H41",
        system="motcua",
        domains=("dossiers",),
        options=options,
    )
    async with running_connector(OutboxSource(spec, bus_settings), bus_settings) as (_, task):
        events = await wait_for(bus_settings, Domain.DOSSIERS, task, lambda f: len(f) == 3)
    rows = MotcuaReader(engine).read_after(0, 10)
    engine.dispose()
    source = SourceIdentity("000.00.00.H41", "motcua")
    expected = [to_dossier_change(row, source, AT) for row in rows]
    published = [p.event for p in events]
    assert [e.envelope.event_id for e in published] == [e.envelope.event_id for e in expected]
    assert [(e.before, e.after) for e in published] == [(e.before, e.after) for e in expected]
    assert [e.envelope.entity_version for e in published] == [1, 2, 3]
    assert {e.envelope.correlation_id for e in published} == {"c"}


async def test_a_database_older_than_the_stored_position_stops_the_connector(
    bus_settings: Settings, tmp_path: Path
) -> None:
    first = sqlite_department(tmp_path / "first.db")
    spec = outbox_spec(bus_settings, first)
    await first.write([("Dossier", f"R-{i}", dossier_payload(f"R-{i}", 1)) for i in range(3)])
    async with running_connector(OutboxSource(spec, bus_settings), bus_settings) as (_, task):
        await wait_for(bus_settings, Domain.DOSSIERS, task, lambda found: len(found) == 3)
    first.engine.dispose()
    restored = sqlite_department(tmp_path / "restored.db")
    await restored.write([("Dossier", "R-0", dossier_payload("R-0", 1))])
    moved = spec.model_copy(update={"options": {**spec.options, "dsn": restored.dsn}})

    runner = ConnectorRunner(OutboxSource(moved, bus_settings), bus_settings)
    with pytest.raises(ConfigurationError, match="stopped after outbox id 3, but the newest row"):
        await asyncio.wait_for(runner.run(), 60)
    restored.engine.dispose()
