"""The streams worker against a real broker and a real centre store.

The worker runs as `python -m lienthong streams worker` with LIENTHONG_* variables, as
an operator would run it; events are produced with a plain aiokafka producer. Every wait is
bounded, and every test ends by stopping the worker with SIGTERM and checking it exits 0.
"""

import asyncio
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import Engine, select

from lienthong.codec import SCHEMA_HEADER
from lienthong.events import (
    DossierChange,
    Operation,
)
from lienthong.settings import Settings
from schemas import DOSSIER_CHANGE
from streams.centre import create_centre_engine, read_counts, read_dossier, read_offsets
from streams.centre.schema import DOSSIERS
from tests.cli_env import lienthong_env
from tests.factories import BUSINESS, dossier_change
from tests.processes import stopped_on_exit
from tests.wire import encode_changes

pytestmark = pytest.mark.integration

WAIT_S = 60.0
STOP_S = 30.0

Record = tuple[str, DossierChange | bytes | None]
"""A key and what to send: a change (framed when sent), raw bytes, or a tombstone."""


def change(no: str, version: int, operation: Operation = Operation.UPDATE) -> DossierChange:
    return dossier_change(no, version, operation, applicant=BUSINESS)


def record(event: DossierChange) -> Record:
    return event.envelope.entity_key, event


async def produce(settings: Settings, records: list[Record]) -> list[tuple[int, int]]:
    """Send in order, one at a time; return (partition, offset) of each record."""
    changes = [value for _, value in records if isinstance(value, DossierChange)]
    framed = iter(await encode_changes(settings, changes))
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
    await producer.start()
    try:
        placed = []
        for key, what in records:
            value = next(framed) if isinstance(what, DossierChange) else what
            headers = [] if value is None else [(SCHEMA_HEADER, DOSSIER_CHANGE.encode())]
            meta = await producer.send_and_wait(
                settings.topics.dossiers, key=key.encode(), value=value, headers=headers
            )
            placed.append((meta.partition, meta.offset))
        return placed
    finally:
        await producer.stop()


class Worker:
    """`lienthong streams worker` running in a subprocess, its output in `log_path`."""

    def __init__(self, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    def log(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    async def wait_for(self, what: str, check: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            if check():
                return
            if self.process.poll() is not None:
                pytest.fail(f"worker exited {self.process.returncode} before {what}\n{self.log()}")
            await asyncio.sleep(0.2)
        pytest.fail(f"timed out after {WAIT_S}s waiting for {what}\n{self.log()}")


def start_worker(settings: Settings, log_path: Path) -> Worker:
    """`lienthong streams worker` in a subprocess, its output appended to `log_path`."""
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "lienthong", "streams", "worker"],
            cwd=settings.var_dir.parent,
            env=lienthong_env(settings, LIENTHONG_LOG__JSON_LINES="true"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return Worker(process, log_path)


@contextmanager
def running_worker(settings: Settings, log_path: Path) -> Iterator[Worker]:
    """Start the worker; on exit stop it with SIGTERM and require a clean exit (code 0)."""
    worker = start_worker(settings, log_path)
    with stopped_on_exit(worker.process, "the worker", worker.log, STOP_S):
        yield worker


def applied(engine: Engine, settings: Settings, records: int) -> Callable[[], bool]:
    """True once the centre's offsets cover `records` records of the (fresh) topic."""

    def check() -> bool:
        try:
            offsets = read_offsets(engine, settings.streams.app_id, settings.topics.dossiers)
        except Exception:  # the worker has not created the tables yet
            return False
        return sum(offsets.values()) >= records

    return check


async def kafka_committed(settings: Settings) -> dict[int, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(settings.streams.app_id)
    finally:
        await admin.close()
    return {
        tp.partition: meta.offset
        for tp, meta in offsets.items()
        if tp.topic == settings.topics.dossiers and meta.offset >= 0
    }


async def dead_letters(settings: Settings, count: int) -> list[Any]:
    topic = settings.topics.dead_letter(settings.topics.dossiers)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, 0)])
        await consumer.seek_to_beginning()
        found: list[Any] = []
        deadline = time.monotonic() + WAIT_S
        while len(found) < count and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            found.extend(r for rs in batches.values() for r in rs)
        return found
    finally:
        await consumer.stop()


@asynccontextmanager
async def centre_engine(settings: Settings) -> AsyncIterator[Engine]:
    engine = create_centre_engine(settings)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def settings(centre_bus: Settings) -> Settings:
    return centre_bus


async def test_the_worker_keeps_the_centre_in_sync(settings: Settings, log_path: Path) -> None:
    only_created = change("HS-CREATED", 1, Operation.CREATE)
    updated = change("HS-UPDATED", 2)
    deleted = change("HS-DELETED", 2, Operation.DELETE)
    newest = change("HS-OLDER-LAST", 3)
    after_poison = change("HS-UPDATED", 3)
    records: list[Record] = [
        record(only_created),
        record(change("HS-UPDATED", 1, Operation.CREATE)),
        record(updated),
        record(change("HS-DELETED", 1, Operation.CREATE)),
        record(deleted),
        ("HS-DELETED", None),  # the tombstone that follows a delete
        record(newest),
        record(change("HS-OLDER-LAST", 2)),
        ("HS-UPDATED", b"\x02not a dossier change"),  # poison, same partition as what follows
        record(after_poison),
    ]
    with running_worker(settings, log_path) as worker:
        placed = await produce(settings, records)
        async with centre_engine(settings) as engine:
            await worker.wait_for("every record applied", applied(engine, settings, len(records)))

            assert read_dossier(engine, "HS-CREATED") == only_created.after
            with engine.connect() as conn:
                row = (
                    conn.execute(select(DOSSIERS).where(DOSSIERS.c.dossier_no == "HS-CREATED"))
                    .one()
                    ._mapping
                )
            assert row["applicant_name"] == "Công ty TNHH Hoà Bình"
            assert row["entity_version"] == 1
            assert row["event_id"] == str(only_created.envelope.event_id)
            assert row["occurred_at"] == only_created.envelope.occurred_at
            assert read_dossier(engine, "HS-UPDATED") == after_poison.after
            assert read_dossier(engine, "HS-DELETED") is None
            assert read_dossier(engine, "HS-OLDER-LAST") == newest.after
            counts = read_counts(engine)
            assert (counts.dossiers, counts.deleted) == (3, 1)
            stored = read_offsets(engine, settings.streams.app_id, settings.topics.dossiers)

        letters = await dead_letters(settings, 1)
        assert len(letters) == 1
        letter = letters[0]
        partition, offset = placed[8]
        assert (letter.key, letter.value) == (b"HS-UPDATED", b"\x02not a dossier change")
        headers = {k: v.decode() for k, v in letter.headers}
        assert headers["__connect.errors.topic"] == settings.topics.dossiers
        assert headers["__connect.errors.partition"] == str(partition)
        assert headers["__connect.errors.offset"] == str(offset)
        assert headers["__connect.errors.stage"] == "VALUE_CONVERTER"
        assert (
            headers["__connect.errors.exception.class.name"]
            == "lienthong.serde.errors.WireFormatError"
        )
        assert "magic byte" in headers["__connect.errors.exception.message"]
        assert headers[SCHEMA_HEADER] == DOSSIER_CHANGE

    # stopped: Kafka's committed offsets never run ahead of what the centre committed
    committed = await kafka_committed(settings)
    assert all(committed[p] <= stored.get(p, 0) for p in committed), (committed, stored)


@pytest.mark.parametrize("centre_bus", ["sqlite"], indirect=True)
async def test_the_worker_resumes_where_the_centre_stopped(
    settings: Settings, log_path: Path
) -> None:
    first = [change(f"HS-{i}", 1, Operation.CREATE) for i in range(6)]
    with running_worker(settings, log_path) as worker:
        await produce(settings, [record(e) for e in first])
        async with centre_engine(settings) as engine:
            await worker.wait_for("the first records", applied(engine, settings, len(first)))
    await wait_for_kafka_commit(settings, len(first))

    # Kafka's committed offsets rewound to 0: the centre's offsets must win, nothing re-read.
    await rewind_kafka_group(settings)
    async with centre_engine(settings) as engine:
        synced_before = synced_at(engine)
        late = change("HS-LATE", 1, Operation.CREATE)
        with running_worker(settings, log_path) as worker:
            await produce(settings, [record(late)])
            await worker.wait_for("the late record", applied(engine, settings, 7))
        assert read_dossier(engine, "HS-LATE") == late.after
        assert {k: v for k, v in synced_at(engine).items() if k != "HS-LATE"} == synced_before

    # The centre wiped: everything is read again from the start of the topic.
    wipe_sqlite(settings.centre_sqlite_path)
    with running_worker(settings, log_path) as worker:
        async with centre_engine(settings) as engine:
            await worker.wait_for("the replay", applied(engine, settings, 7))
            assert read_counts(engine).dossiers == 7


@pytest.mark.parametrize("centre_bus", ["sqlite"], indirect=True)
async def test_a_store_outage_stalls_the_stream_without_skipping(
    settings: Settings, log_path: Path
) -> None:
    with running_worker(settings, log_path) as worker:
        await produce(settings, [record(change("HS-0", 1, Operation.CREATE))])
        async with centre_engine(settings) as engine:
            await worker.wait_for("the first record", applied(engine, settings, 1))
            before = read_offsets(engine, settings.streams.app_id, settings.topics.dossiers)
            blocker = sqlite3.connect(settings.centre_sqlite_path, isolation_level=None)
            try:
                blocker.execute("BEGIN EXCLUSIVE")  # every write fails with "database is locked"
                events = [change(f"HS-{i}", 1, Operation.CREATE) for i in range(1, 8)]
                await produce(settings, [record(e) for e in events])
                await asyncio.sleep(8.0)  # longer than faust's commit interval (2.8 s)
                assert (
                    read_offsets(engine, settings.streams.app_id, settings.topics.dossiers)
                    == before
                )
                committed = await kafka_committed(settings)
                assert all(committed[p] <= before.get(p, 0) for p in committed), committed
            finally:
                blocker.execute("ROLLBACK")
                blocker.close()
            await worker.wait_for("the stalled records", applied(engine, settings, 8))
            for e in events:
                assert read_dossier(engine, e.envelope.entity_key) == e.after
            assert "writing a batch to the centre failed; retrying" in worker.log(10_000)


async def wait_for_kafka_commit(settings: Settings, records: int) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if sum((await kafka_committed(settings)).values()) >= records:
            return
        await asyncio.sleep(0.5)
    pytest.fail(f"the group never committed {records} records to Kafka")


async def rewind_kafka_group(settings: Settings) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        group_id=settings.streams.app_id,
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        tps = [
            TopicPartition(settings.topics.dossiers, p) for p in range(settings.topics.partitions)
        ]
        consumer.assign(tps)
        await consumer.commit({tp: 0 for tp in tps})
    finally:
        await consumer.stop()
    assert set((await kafka_committed(settings)).values()) == {0}


def synced_at(engine: Engine) -> dict[str, datetime]:
    with engine.connect() as conn:
        rows = conn.execute(select(DOSSIERS.c.dossier_no, DOSSIERS.c.synced_at)).all()
    return {no: at for no, at in rows}


def wipe_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@pytest.mark.parametrize("centre_bus", ["sqlite"], indirect=True)
async def test_stopping_during_a_store_outage_loses_nothing(
    settings: Settings, log_path: Path
) -> None:
    """faust acks a take() batch whose loop body was cancelled, and commits it on the way
    out; the centre's own offsets bring those records back on the next start."""
    events = [change(f"HS-{i}", 1, Operation.CREATE) for i in range(8)]
    async with centre_engine(settings) as engine:
        with running_worker(settings, log_path) as worker:
            await produce(settings, [record(events[0])])
            await worker.wait_for("the first record", applied(engine, settings, 1))
            blocker = sqlite3.connect(settings.centre_sqlite_path, isolation_level=None)
            blocker.execute("BEGIN EXCLUSIVE")
            try:
                await produce(settings, [record(e) for e in events[1:]])
                await asyncio.sleep(3.0)
            finally:
                worker.process.send_signal(signal.SIGTERM)  # stop while the flush is failing
                await asyncio.to_thread(worker.process.wait, STOP_S)
                blocker.execute("ROLLBACK")
                blocker.close()
        assert (
            sum(read_offsets(engine, settings.streams.app_id, settings.topics.dossiers).values())
            == 1
        )
        with running_worker(settings, log_path) as worker:
            await worker.wait_for("every record", applied(engine, settings, len(events)))
        for e in events:
            assert read_dossier(engine, e.envelope.entity_key) == e.after
