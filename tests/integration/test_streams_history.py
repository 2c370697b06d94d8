"""The centre's history survives a worker killed mid-run: every event once, none missing.

The worker is killed with SIGKILL (no shutdown, a batch possibly half-written) while the
events are still arriving, then started again; it resumes from the centre's own offsets.
"""

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from lienthong.events import DossierChange, Operation
from lienthong.settings import Settings
from streams.centre import read_dossier, read_offsets
from streams.centre.schema import DOSSIER_HISTORY
from tests.integration.test_streams_worker import (
    Worker,
    applied,
    centre_engine,
    change,
    produce,
    record,
    running_worker,
    start_worker,
)

pytestmark = pytest.mark.integration

DOSSIERS = 60
VERSIONS = 5
CHUNK = 30
PAUSE_S = 0.4
REJOIN_S = 180.0
"""The killed member holds its partitions until the group evicts it (faust: up to 60 s)."""


def dossier_events() -> list[DossierChange]:
    """Five versions of each of 60 dossiers, interleaved; every fourth one ends deleted."""
    events = []
    for version in range(1, VERSIONS + 1):
        for i in range(DOSSIERS):
            operation = Operation.CREATE if version == 1 else Operation.UPDATE
            if version == VERSIONS and i % 4 == 0:
                operation = Operation.DELETE
            events.append(change(f"HS-{i:03}", version, operation))
    return events


@pytest.fixture
def settings(centre_bus: Settings) -> Settings:
    return centre_bus


@contextmanager
def worker_to_kill(settings: Settings, log_path: Path) -> Iterator[Worker]:
    """Start the worker; it is expected to die by SIGKILL, so no clean exit is required."""
    worker = start_worker(settings, log_path)
    try:
        yield worker
    finally:
        if worker.process.poll() is None:
            worker.process.kill()
        worker.process.wait()


async def wait_long(worker: Worker, what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + REJOIN_S
    while time.monotonic() < deadline:
        if check():
            return
        if worker.process.poll() is not None:
            pytest.fail(f"worker exited {worker.process.returncode} before {what}\n{worker.log()}")
        await asyncio.sleep(0.2)
    pytest.fail(f"timed out after {REJOIN_S}s waiting for {what}\n{worker.log()}")


async def test_a_killed_worker_leaves_each_event_in_the_history_once(
    settings: Settings, tmp_path: Path
) -> None:
    events = dossier_events()
    log_path = tmp_path / "worker.log"
    async with centre_engine(settings) as engine:

        def applied_count() -> int:
            stored = read_offsets(engine, settings.streams.app_id, settings.topics.dossiers)
            return sum(stored.values())

        with worker_to_kill(settings, log_path) as worker:

            async def produce_in_chunks(start: int) -> None:
                for at in range(start, len(events), CHUNK):
                    await produce(settings, [record(e) for e in events[at : at + CHUNK]])
                    await asyncio.sleep(PAUSE_S)  # longer than a batch waits: several batches

            # The first chunk once the worker runs; the rest keeps arriving while it applies.
            await produce(settings, [record(e) for e in events[:CHUNK]])
            await worker.wait_for("the first events", applied(engine, settings, CHUNK))
            producing = asyncio.create_task(produce_in_chunks(CHUNK))
            try:
                await worker.wait_for("a third of the events", applied(engine, settings, 100))
                worker.process.kill()
                await asyncio.to_thread(worker.process.wait)
            finally:
                await producing
        at_kill = applied_count()
        assert 100 <= at_kill < len(events), f"not killed mid-run: {at_kill} applied"

        with running_worker(settings, log_path) as worker:
            await wait_long(worker, "every event", applied(engine, settings, len(events)))

        latest = {e.envelope.entity_key: e for e in events}
        for no, last in latest.items():
            expected = None if last.envelope.operation == Operation.DELETE else last.after
            assert read_dossier(engine, no) == expected, no
        with engine.connect() as conn:
            stored_ids = sorted(conn.execute(select(DOSSIER_HISTORY.c.event_id)).scalars())
        assert stored_ids == sorted(str(e.envelope.event_id) for e in events)
