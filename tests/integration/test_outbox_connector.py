"""The one-stop-shop's outbox through the `outbox` kind (payload format motcua), on real Kafka
and a real SQLite or PostgreSQL department database written by its simulator: every committed
row is published exactly once, across restarts, crashes, kills and other connectors' open
transactions; deletes are followed by tombstones; a replaced database is refused."""

import asyncio
import json
import signal
import sys
import time
from asyncio.subprocess import DEVNULL, PIPE
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from pydantic import SecretStr
from sqlalchemy import Engine, select

from connectors.motcua import (
    OutboxRow,
    Simulator,
    SourceIdentity,
    create_source_engine,
    ensure_source_schema,
    event_id_for,
)
from connectors.motcua.outbox import motcua_outbox_runner
from connectors.motcua.payload import nfc
from connectors.motcua.source_db import newest_outbox_id, outbox_table
from connectors.runner import ConnectorRunner
from lienthong.errors import ConfigurationError
from lienthong.events import DossierChange, Operation
from lienthong.ids import TopicName
from lienthong.settings import ConnectorSettings, Settings, SourceSettings
from tests.cli_env import lienthong_env
from tests.wire import decode_changes

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

OPERATIONS = {"created": Operation.CREATE, "updated": Operation.UPDATE, "deleted": Operation.DELETE}
SQLITE_ONLY = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, bus_settings: Settings) -> Settings:
    connector = ConnectorSettings(
        name=bus_settings.connector.name, poll_interval_s=0.1, batch_size=50
    )
    update: dict[str, object] = {"connector": connector}
    if request.param == "postgres":
        dsn = request.getfixturevalue("postgres_dsn")
        update["source"] = SourceSettings(dsn=SecretStr(dsn))
    return bus_settings.model_copy(update=update)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = create_source_engine(settings)
    ensure_source_schema(engine)
    yield engine
    engine.dispose()


@asynccontextmanager
async def running(runner: ConnectorRunner) -> AsyncIterator[asyncio.Task[None]]:
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def caught_up(runner: ConnectorRunner, task: asyncio.Task[None], engine: Engine) -> None:
    newest = str(newest_outbox_id(engine))
    deadline = time.monotonic() + 60
    while runner.stats.position != newest:
        if task.done():
            task.result()
        assert time.monotonic() < deadline, f"stuck at {runner.stats.position} of {newest}"
        await asyncio.sleep(0.05)


async def read_topic(
    settings: Settings, topic: TopicName, *, committed: bool = True
) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        enable_auto_commit=False,
        isolation_level="read_committed" if committed else "read_uncommitted",
    )
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(settings.topics.partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        records: list[ConsumerRecord[bytes, bytes]] = []
        deadline = time.monotonic() + 30
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            assert time.monotonic() < deadline, f"{topic} not read to its end"
            for batch in (await consumer.getmany(*tps, timeout_ms=500)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


def outbox_rows(engine: Engine) -> list[OutboxRow]:
    with engine.connect() as conn:
        rows = conn.execute(select(outbox_table).order_by(outbox_table.c.id)).mappings()
        return [OutboxRow(**row) for row in rows]


async def assert_exactly_once(settings: Settings, engine: Engine) -> list[DossierChange]:
    """One event per outbox row, matching it, in order per dossier, deletes then tombstones."""
    rows = outbox_rows(engine)
    records = await read_topic(settings, settings.topics.dossiers)
    events = await decode_changes(settings, [r.value for r in records if r.value is not None])
    by_place = dict(
        zip([(r.partition, r.offset) for r in records if r.value is not None], events, strict=True)
    )
    source = SourceIdentity(settings.source.agency_id, settings.source.system_id)
    assert len(events) == len(rows), "every outbox row once: no loss, no duplicate"
    assert {e.envelope.event_id for e in events} == {event_id_for(source, r.id) for r in rows}

    by_position = {int(e.envelope.source_position or 0): e for e in events}
    for row in rows:
        event = by_position[row.id]
        payload = json.loads(row.payload)
        state = event.before if row.event_type == "deleted" else event.after
        assert state is not None
        assert event.envelope.operation is OPERATIONS[row.event_type]
        assert event.envelope.entity_key == row.aggregate_id == state.dossier_no
        assert state.status == payload["status"]
        assert state.applicant.name == nfc(payload["applicant_name"])
        assert len(state.steps) == len(payload["steps"])

    partitions: dict[int, list[ConsumerRecord[bytes, bytes]]] = {}
    for record in records:
        partitions.setdefault(record.partition, []).append(record)
    deletes = 0
    for in_partition in partitions.values():
        last_position: dict[bytes | None, int] = {}
        for index, record in enumerate(in_partition):
            if record.value is None:
                continue
            event = by_place[record.partition, record.offset]
            position = int(event.envelope.source_position or 0)
            assert position > last_position.get(record.key, 0), "a dossier keeps outbox order"
            last_position[record.key] = position
            if event.envelope.operation is Operation.DELETE:
                deletes += 1
                following = [r for r in in_partition[index + 1 :] if r.key == record.key]
                assert following and following[0].value is None, "a delete, then its tombstone"
    assert deletes == sum(1 for r in rows if r.event_type == "deleted")
    assert sum(1 for r in records if r.value is None) == deletes
    return events


async def test_every_row_is_published_once_across_a_restart(
    settings: Settings, engine: Engine
) -> None:
    simulator = Simulator(engine, 21)
    await asyncio.to_thread(simulator.steps, 250)
    first = motcua_outbox_runner(settings)
    async with running(first) as task:
        await caught_up(first, task, engine)
    activities = await asyncio.to_thread(simulator.steps, 150)  # while the connector is down
    second = motcua_outbox_runner(settings)
    async with running(second) as task:
        await caught_up(second, task, engine)

    await assert_exactly_once(settings, engine)
    assert any(activity.action == "delete" for activity in activities), "the seed has deletes"
    assert (first.stats.published, second.stats.published) == (250, 150)
    assert first.stats.dead_lettered == second.stats.dead_lettered == 0


CRASH_BEFORE_THIRD_COMMIT = """
import asyncio, os, signal
from aiokafka import AIOKafkaProducer
from connectors.motcua.outbox import motcua_outbox_runner
from lienthong.settings import Settings

commit = AIOKafkaProducer.commit_transaction
commits = 0

async def commit_or_die(self):
    global commits
    commits += 1
    if commits == 3:  # the batch is on the broker, its transaction still open
        await self.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    await commit(self)

AIOKafkaProducer.commit_transaction = commit_or_die
asyncio.run(motcua_outbox_runner(Settings()).run())
"""


async def test_a_crash_between_send_and_commit_loses_and_repeats_nothing(
    settings: Settings, engine: Engine
) -> None:
    await asyncio.to_thread(Simulator(engine, 23).steps, 400)
    crashing = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CRASH_BEFORE_THIRD_COMMIT,
        env=lienthong_env(settings, LIENTHONG_LOG__JSON_LINES="true"), stdout=PIPE, stderr=PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(crashing.communicate(), 120)
    assert crashing.returncode == -signal.SIGKILL, stderr.decode()

    visible = [r for r in await read_topic(settings, settings.topics.dossiers) if r.value]
    written = await read_topic(settings, settings.topics.dossiers, committed=False)
    assert 0 < len(visible) < 400, "two batches committed before the crash"
    assert len(written) > len(visible), "the third batch reached the broker uncommitted"

    runner = motcua_outbox_runner(settings)
    async with running(runner) as task:
        await caught_up(runner, task, engine)
    await assert_exactly_once(settings, engine)
    assert runner.stats.published == 400 - len(visible)


@SQLITE_ONLY
async def test_connect_run_killed_at_any_moment_loses_and_repeats_nothing(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    await asyncio.to_thread(Simulator(engine, 24).steps, 800)
    connectors = tmp_path / "connectors.yaml"
    connectors.write_text(
        "connectors:\n"
        f"  - name: {settings.connector.name}\n"
        "    kind: outbox\n"
        f"    agency: {settings.source.agency_id}\n"
        f"    system: {settings.source.system_id}\n"
        "    domains: [dossiers]\n"
        "    batch_size: 20\n"
        "    options:\n"
        "      dsn: ${MOTCUA_DB_DSN}\n"
        "      payload_format: motcua\n"
        "      routes: {dossier: dossiers}\n"
        "      poll_interval_s: 0.1\n",
        encoding="utf-8",
    )
    env = lienthong_env(settings, LIENTHONG_LOG__JSON_LINES="true", MOTCUA_DB_DSN=str(engine.url))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lienthong", "connect", "run", str(connectors),
        env=env, stdout=DEVNULL, stderr=DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(await read_topic(settings, settings.topics.dossiers)) < 200:
            assert process.returncode is None and time.monotonic() < deadline
            await asyncio.sleep(0.2)
    finally:
        process.kill()  # SIGKILL: no clean-up of any kind
        await asyncio.wait_for(process.wait(), 30)
    runner = motcua_outbox_runner(settings)
    async with running(runner) as task:
        await caught_up(runner, task, engine)
    await assert_exactly_once(settings, engine)


async def open_transaction_records(settings: Settings) -> int:
    """Records written but neither committed nor aborted yet: high watermark minus stable offset."""
    topic = settings.topics.dossiers
    gaps = 0
    for isolation in ("read_uncommitted", "read_committed"):
        consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka.bootstrap_servers, isolation_level=isolation
        )
        await consumer.start()
        try:
            tps = [TopicPartition(topic, p) for p in range(settings.topics.partitions)]
            ends = await consumer.end_offsets(tps)
            gaps += sum(ends.values()) * (1 if isolation == "read_uncommitted" else -1)
        finally:
            await consumer.stop()
    return gaps


@SQLITE_ONLY
async def test_cancelling_mid_run_aborts_cleanly_and_a_restart_completes(
    settings: Settings, engine: Engine
) -> None:
    await asyncio.to_thread(Simulator(engine, 27).steps, 1200)
    runner = motcua_outbox_runner(settings)
    task = asyncio.create_task(runner.run())
    deadline = time.monotonic() + 60
    while int(runner.stats.position or 0) < 300:
        assert not task.done() and time.monotonic() < deadline
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
    assert await open_transaction_records(settings) == 0, "no transaction left hanging"

    restarted = motcua_outbox_runner(settings)
    async with running(restarted) as task:
        await caught_up(restarted, task, engine)
    await assert_exactly_once(settings, engine)


@SQLITE_ONLY
async def test_another_connectors_open_transaction_does_not_hide_this_ones_position(
    settings: Settings, engine: Engine
) -> None:
    """Connectors share the offsets topic; an open transaction of one holds back the stable
    offset, and reading only that far would resume another from an older position."""
    simulator = Simulator(engine, 28)
    await asyncio.to_thread(simulator.steps, 60)
    other = AIOKafkaProducer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        transactional_id=f"another-{settings.connector.name}",
    )
    await other.start()
    try:
        first = motcua_outbox_runner(settings)
        async with running(first) as task:
            await caught_up(first, task, engine)
            await other.begin_transaction()
            await other.send_and_wait(settings.topics.connector_offsets, b"{}", key=b"another")
            await asyncio.to_thread(simulator.steps, 60)
            await caught_up(first, task, engine)  # commits a position after the open one

        second = motcua_outbox_runner(settings)
        async with running(second):
            await asyncio.sleep(2)
            assert second.stats.position is None, "waits for the other transaction to end"
            await other.abort_transaction()
            deadline = time.monotonic() + 30
            while second.stats.position is None:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
            assert second.stats.position == first.stats.position == "120"
    finally:
        await other.stop()
    await assert_exactly_once(settings, engine)


@SQLITE_ONLY
async def test_a_replaced_database_stops_the_connector_until_its_position_is_forgotten(
    settings: Settings, engine: Engine
) -> None:
    await asyncio.to_thread(Simulator(engine, 29).steps, 80)
    first = motcua_outbox_runner(settings)
    async with running(first) as task:
        await caught_up(first, task, engine)

    fresh = settings.model_copy(
        update={"source": SourceSettings(sqlite_path=settings.var_dir / "replaced.db")}
    )
    replaced = create_source_engine(fresh)
    try:
        ensure_source_schema(replaced)
        await asyncio.to_thread(Simulator(replaced, 30).steps, 20)
        with pytest.raises(ConfigurationError, match="stopped after outbox id 80"):
            await asyncio.wait_for(motcua_outbox_runner(fresh).run(), 60)

        await motcua_outbox_runner(fresh).reset_position()
        after_reset = motcua_outbox_runner(fresh)
        async with running(after_reset) as task:
            await caught_up(after_reset, task, replaced)
        assert after_reset.stats.published == 20
    finally:
        replaced.dispose()
