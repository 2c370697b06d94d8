"""Nothing lost, nothing duplicated: the whole bus under a steady load of all three domains
while its parts are hurt as production hurts them, then the centre checked against every
source, its history, its audit chain and the dead letters."""

import asyncio
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from lienthong.dlq import read_dead_letters
from lienthong.trust import EventSigner, load_private_key
from streams.centre import create_centre_engine
from tests.cli_env import lienthong_env
from tests.faults.bus import AGENCY, FaultBus, running_fault_bus
from tests.faults.checks import drift, duplicated_history, history_counts, source_changes
from tests.faults.poison import poison_records
from tests.integration.connector_contract import read_committed
from tests.integration.worker_support import produce_records

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.timeout(600)]

SEEDED_PARCELS = 20_000
WORKER_KILLS = 3
POSTGRES_DOWN_S = 30.0
DRAIN_S = 180.0
RESUMED = "resuming from the centre's offsets"


async def _until(
    what: str,
    bus: FaultBus,
    check: Callable[[], Coroutine[Any, Any, bool]],
    explain: Callable[[], str] = lambda: "",
) -> None:
    deadline = time.monotonic() + DRAIN_S
    while not await check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {DRAIN_S:.0f} s: {explain()}\n{bus.logs()}")
        await asyncio.sleep(0.5)


async def _kill_land_connector_mid_snapshot(bus: FaultBus) -> int:
    """Returns how many parcels were on the topic when it was killed."""
    bus.land_connector.start()
    topic = bus.settings.topics.land_parcels

    async def some_published() -> bool:
        assert bus.land_connector.alive, bus.land_connector.log_tail()
        return len(await read_committed(bus.settings, topic)) >= 500

    await _until("the land snapshot to start", bus, some_published)
    bus.land_connector.kill()
    published = len(await read_committed(bus.settings, topic))
    bus.land_connector.start()
    return published


async def _kill_worker_repeatedly(bus: FaultBus, chooser: random.Random) -> None:
    """Each time once it resumed and wrote for a few seconds, so each kill lands in work."""
    for _ in range(WORKER_KILLS):
        await bus.worker.wait_for_log(RESUMED, times=bus.worker.starts)
        await asyncio.sleep(chooser.uniform(2.0, 5.0))
        bus.worker.kill()
        bus.worker.start()
    await bus.worker.wait_for_log(RESUMED, times=bus.worker.starts)


async def _supervise(bus: FaultBus) -> None:
    """A service manager's restart policy over every process of the bus."""
    while True:
        for child in bus.children:
            child.keep_running()
        await asyncio.sleep(0.5)


async def _stop_postgres(bus: FaultBus) -> None:
    await asyncio.to_thread(bus.cluster.stop)
    await asyncio.sleep(POSTGRES_DOWN_S)
    await asyncio.to_thread(bus.cluster.start)


async def _in_sync(bus: FaultBus, centre: Engine) -> bool:
    try:
        return not await asyncio.to_thread(drift, bus, centre)
    except Exception:  # the worker has not created the centre's tables yet
        return False


def _lienthong(bus: FaultBus, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = lienthong_env(bus.settings, LIENTHONG_LOG__JSON_LINES="true")
    return subprocess.run(
        [sys.executable, "-m", "lienthong", *arguments],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


async def test_centre_equals_every_source_after_kills_restarts_an_outage_and_poison(
    tmp_path: Path,
) -> None:
    chooser = random.Random(2025)
    async with running_fault_bus(tmp_path, SEEDED_PARCELS) as bus:
        centre = create_centre_engine(bus.settings)
        stop = asyncio.Event()
        try:
            published_at_kill = await _kill_land_connector_mid_snapshot(bus)
            assert published_at_kill < SEEDED_PARCELS, "killed in the middle of the snapshot"
            supervisor = asyncio.create_task(_supervise(bus))
            load = [
                asyncio.create_task(bus.one_stop_shop.simulate(25.0, None, stop)),
                asyncio.create_task(bus.edoc.simulate(5.0, None, stop)),
                asyncio.create_task(bus.land.work(10.0, stop)),
            ]
            await _kill_worker_repeatedly(bus, chooser)
            await bus.restart_broker()
            await asyncio.sleep(5.0)
            await _stop_postgres(bus)
            signer = EventSigner.of(AGENCY, load_private_key(bus.key_file))
            poison = await poison_records(bus.settings, signer)
            await produce_records(bus.settings, [p.record for p in poison])
            await asyncio.sleep(5.0)
            stop.set()
            await asyncio.gather(*load)
            await _until(
                "the centre to equal every source",
                bus,
                lambda: _in_sync(bus, centre),
                lambda: "; ".join(map(str, drift(bus, centre))),
            )
            supervisor.cancel()
            crashes = {child.name: child.crashes for child in bus.children if child.crashes}
            print(f"processes restarted after ending by themselves: {crashes}")

            assert await asyncio.to_thread(drift, bus, centre) == []
            assert duplicated_history(centre) == {}
            assert history_counts(centre) == source_changes(bus), "one history row per change"
            reconcile = _lienthong(bus, "reconcile", "--json")
            assert reconcile.returncode == 0, reconcile.stdout + reconcile.stderr
            audit = _lienthong(bus, "audit", "verify")
            assert audit.returncode == 0, audit.stdout + audit.stderr

            letters = await read_dead_letters(
                bus.settings, bus.settings.topics.dead_letter(bus.settings.topics.dossiers)
            )
            found = {
                (letter.key or b"").decode(): (letter.stage, letter.exception_message)
                for letter in letters
            }
            assert {p.key: found.get(p.key, (None, None))[0] for p in poison} == {
                p.key: p.stage for p in poison
            }, found
            assert all(found[p.key][1] for p in poison), "each dead letter says why"
            print(json.dumps({"reconcile": json.loads(reconcile.stdout)}, indent=1)[:2000])
        finally:
            stop.set()
            centre.dispose()
