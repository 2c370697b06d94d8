"""Runs the whole bus in one command: Kafka, schema registry, simulator, connector, worker.

The registry serves from the demo's own process. The simulator writes one-stop-shop
activity into the department database; the connector publishes it; the worker (a child
process) keeps the centre current. When the planned activity is done (or on a stop request)
the demo lets the pipeline drain, checks that the centre holds exactly what the source
holds, and stops everything it started.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace

import structlog
from sqlalchemy import Engine

from connectors.motcua import OutboxConnector, Simulator, create_source_engine
from connectors.motcua.source_db import ensure_source_schema, newest_outbox_id
from lienthong.demo.snapshot import DemoSnapshot, compare_versions, read_versions
from lienthong.demo.worker_process import WorkerProcess
from lienthong.devkafka import start_broker, stop_broker
from lienthong.errors import FatalError
from lienthong.lag import LagProbe
from lienthong.registry import running_registry
from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics
from streams.centre import open_centre, read_offsets

__all__ = ["DemoPlan", "DemoResult", "run_demo"]

log = structlog.get_logger(__name__)

ShowProgress = Callable[[DemoSnapshot, str], None]
"""Called with the latest snapshot and the phase: running, draining, stopping."""


@dataclass(frozen=True)
class DemoPlan:
    duration_s: float | None = None
    events: int | None = None
    rate_per_s: float = 50.0
    seed: int = 2025
    drain_timeout_s: float = 120.0
    refresh_s: float = 0.5
    keep_kafka: bool = False


@dataclass(frozen=True)
class DemoResult:
    final: DemoSnapshot
    interrupted: bool
    drained: bool


async def run_demo(
    settings: Settings, plan: DemoPlan, show: ShowProgress, stop: asyncio.Event
) -> DemoResult:
    broker = await start_broker(settings)
    kafka = settings.kafka.model_copy(update={"bootstrap_servers": broker.bootstrap_servers})
    settings = settings.model_copy(update={"kafka": kafka})
    try:
        await ensure_topics(settings, bus_topics(settings))
        async with running_registry(settings) as registry_url:
            registry = settings.registry.model_copy(update={"url": registry_url})
            settings = settings.model_copy(update={"registry": registry})
            return await _run_pipeline(settings, plan, show, stop)
    finally:
        if not (broker.already_running or plan.keep_kafka):
            await asyncio.to_thread(stop_broker, settings)


async def _run_pipeline(
    settings: Settings, plan: DemoPlan, show: ShowProgress, stop: asyncio.Event
) -> DemoResult:
    source = create_source_engine(settings)
    await asyncio.to_thread(ensure_source_schema, source)
    centre = open_centre(settings)
    worker = WorkerProcess(settings, settings.var_dir / "logs" / "worker.log")
    simulator = Simulator(source, seed=plan.seed)
    connector = OutboxConnector(settings, engine=source)
    simulation_done, connector_stop = asyncio.Event(), asyncio.Event()
    simulation = asyncio.create_task(
        simulator.run(plan.rate_per_s, plan.events, simulation_done), name="simulator"
    )
    publishing = asyncio.create_task(connector.run(connector_stop), name="connector")
    loop = asyncio.get_running_loop()
    started = loop.time()
    drain_deadline: float | None = None
    try:
        async with LagProbe(settings) as probe:
            while True:
                now = loop.time() - started
                snapshot = await _snapshot(settings, (source, centre), probe, connector, now)
                snapshot = replace(
                    snapshot, activities=simulator.counts.total(), worker_alive=worker.alive
                )
                show(snapshot, "running" if drain_deadline is None else "draining")
                if not worker.alive:
                    raise FatalError(
                        f"the stream worker exited with code {worker.exit_code}; "
                        f"its log ({worker.log_path}) ends with:\n{worker.log_tail()}"
                    )
                if publishing.done():
                    publishing.result()  # the connector only returns early by raising
                if stop.is_set():
                    return DemoResult(snapshot, interrupted=True, drained=False)
                planned_done = simulation.done() or (
                    plan.duration_s is not None and now >= plan.duration_s
                )
                if drain_deadline is None and planned_done:
                    simulation_done.set()
                    await simulation
                    drain_deadline = now + plan.drain_timeout_s
                if drain_deadline is not None:
                    if _drained(snapshot):
                        return DemoResult(snapshot, interrupted=False, drained=True)
                    if now >= drain_deadline:
                        return DemoResult(snapshot, interrupted=False, drained=False)
                await _sleep_unless(stop, plan.refresh_s)
    finally:
        simulation_done.set()
        connector_stop.set()
        await asyncio.gather(simulation, publishing, return_exceptions=True)
        await asyncio.to_thread(worker.stop)
        source.dispose()
        centre.dispose()


def _drained(snapshot: DemoSnapshot) -> bool:
    published_all = snapshot.connector_position == snapshot.outbox_newest
    return published_all and snapshot.sync.in_sync


async def _snapshot(
    settings: Settings,
    stores: tuple[Engine, Engine],
    probe: LagProbe,
    connector: OutboxConnector,
    elapsed_s: float,
) -> DemoSnapshot:
    source, centre = stores
    in_source, in_centre = await asyncio.to_thread(read_versions, source, centre)
    outbox_newest = await asyncio.to_thread(newest_outbox_id, source)
    topic = settings.topics.dossiers
    ends = await probe.end_offsets(topic)
    # The worker keeps its offsets in the centre, committed with the rows: they are the truth.
    applied = await asyncio.to_thread(read_offsets, centre, settings.streams.app_id, topic)
    return DemoSnapshot(
        elapsed_s=elapsed_s,
        activities=0,  # filled in by the caller, which owns the simulator
        outbox_newest=outbox_newest,
        connector_position=connector.stats.position,
        published=connector.stats.published,
        dead_lettered=connector.stats.dead_lettered,
        lag=sum(end - applied.get(partition, 0) for partition, end in ends.items()),
        sync=compare_versions(in_source, in_centre),
        worker_alive=True,
    )


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return
