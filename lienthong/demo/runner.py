"""Runs the whole bus in one command: Kafka, schema registry, three simulated departments,
their connectors and the stream worker.

The registry serves from the demo's own process, and so do the operators' dashboard and the
connectors, described by connectors/examples/demo.yaml: the one-stop-shop's outbox, the
e-document folder and the land register's polled table, each signing its events with its
agency's key (made under var/keys on the first run and registered). The worker (a child
process) keeps the centre current, applying only events signed by a registered key. When
the planned activity is done (or on a stop request) the demo lets the pipeline drain, checks
that the centre holds exactly what each source holds, and stops everything it started.
"""

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import structlog
from sqlalchemy import Engine

from connectors.supervisor import run_connectors
from connectors.waiting import sleep_unless
from lienthong.demo.connectors_file import demo_runners, demo_specs
from lienthong.demo.dashboard import dashboard_beside
from lienthong.demo.departments import Department, open_departments
from lienthong.demo.observing import take_snapshot
from lienthong.demo.signing_keys import demo_signing_keys
from lienthong.demo.snapshot import DemoSnapshot
from lienthong.demo.worker_process import WorkerProcess
from lienthong.devkafka import start_broker, stop_broker
from lienthong.errors import FatalError
from lienthong.observe import BusView
from lienthong.registry import running_registry
from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics
from streams.centre import open_centre

__all__ = ["DemoPlan", "DemoResult", "run_demo"]

log = structlog.get_logger(__name__)

ShowProgress = Callable[[DemoSnapshot, str], None]
"""Called with the latest snapshot and the phase: running, draining, stopping."""


@dataclass(frozen=True)
class DemoPlan:
    duration_s: float | None = None
    events: int | None = None
    """Changes each department makes before the demo drains."""
    rate_per_s: float = 50.0
    """Changes per second, in each department."""
    seed: int = 2025
    drain_timeout_s: float = 120.0
    refresh_s: float = 0.5
    keep_kafka: bool = False
    dashboard_port: int | None = None
    """Where the operators' dashboard listens while the demo runs; None: no dashboard."""


@dataclass(frozen=True)
class DemoResult:
    final: DemoSnapshot
    interrupted: bool
    drained: bool


async def run_demo(
    settings: Settings,
    plan: DemoPlan,
    show: ShowProgress,
    stop: asyncio.Event,
    notify: Callable[[str], None] = lambda _: None,
) -> DemoResult:
    """`notify` is told, in one line, what an operator should know beside the progress."""
    broker = await start_broker(settings)
    kafka = settings.kafka.model_copy(update={"bootstrap_servers": broker.bootstrap_servers})
    settings = settings.model_copy(update={"kafka": kafka})
    try:
        await ensure_topics(settings, bus_topics(settings))
        async with running_registry(settings) as registry_url:
            registry = settings.registry.model_copy(update={"url": registry_url})
            settings = settings.model_copy(update={"registry": registry})
            async with dashboard_beside(settings, plan.dashboard_port, notify):
                return await _run_pipeline(settings, plan, show, stop)
    finally:
        if not (broker.already_running or plan.keep_kafka):
            await asyncio.to_thread(stop_broker, settings)


async def _run_pipeline(
    settings: Settings, plan: DemoPlan, show: ShowProgress, stop: asyncio.Event
) -> DemoResult:
    departments = await asyncio.to_thread(open_departments, settings, plan.seed)
    centre = open_centre(settings)
    try:
        specs = demo_specs(departments)
        signing_keys = await demo_signing_keys(settings, (spec.agency for spec in specs))
        runners = demo_runners(settings, specs, signing_keys)
    except BaseException:
        _close(departments, centre)
        raise
    worker = WorkerProcess(settings, settings.var_dir / "logs" / "worker.log")
    simulation_stop, connector_stop = asyncio.Event(), asyncio.Event()
    simulations = [
        asyncio.create_task(
            department.simulate(plan.rate_per_s, plan.events, simulation_stop),
            name=f"simulate {department.title}",
        )
        for department in departments
    ]
    connecting = asyncio.create_task(run_connectors(runners, connector_stop), name="connectors")
    loop = asyncio.get_running_loop()
    started = loop.time()
    drain_deadline: float | None = None
    try:
        async with BusView(settings) as view:
            while True:
                now = loop.time() - started
                snapshot = await take_snapshot(settings, departments, runners, centre, view, now)
                snapshot = replace(snapshot, worker_alive=worker.alive)
                show(snapshot, "running" if drain_deadline is None else "draining")
                _check_running(worker, connecting, simulations)
                if stop.is_set():
                    return DemoResult(snapshot, interrupted=True, drained=False)
                planned_done = all(task.done() for task in simulations) or (
                    plan.duration_s is not None and now >= plan.duration_s
                )
                if drain_deadline is None and planned_done:
                    simulation_stop.set()
                    await asyncio.gather(*simulations)
                    drain_deadline = now + plan.drain_timeout_s
                    continue  # the next snapshot is taken after the last change
                if drain_deadline is not None:
                    if snapshot.in_sync:
                        return DemoResult(snapshot, interrupted=False, drained=True)
                    if now >= drain_deadline:
                        return DemoResult(snapshot, interrupted=False, drained=False)
                await sleep_unless(stop, plan.refresh_s)
    finally:
        simulation_stop.set()
        connector_stop.set()
        await asyncio.gather(*simulations, connecting, return_exceptions=True)
        await asyncio.to_thread(worker.stop)
        _close(departments, centre)


def _check_running(
    worker: WorkerProcess, connecting: asyncio.Task[None], simulations: Sequence[asyncio.Task[int]]
) -> None:
    if not worker.alive:
        raise FatalError(
            f"the stream worker exited with code {worker.exit_code}; "
            f"its log ({worker.log_path}) ends with:\n{worker.log_tail()}"
        )
    if connecting.done():
        connecting.result()  # the connectors only return early by raising
        raise FatalError("the connectors stopped")
    for simulation in simulations:
        if simulation.done():
            simulation.result()


def _close(departments: Sequence[Department], centre: Engine) -> None:
    for department in departments:
        department.close()
    centre.dispose()
