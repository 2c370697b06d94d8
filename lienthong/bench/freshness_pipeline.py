"""The one-stop-shop pipeline, run for `lienthong bench freshness`: simulator, outbox connector
and stream worker, on names and stores of the run's own so nothing else on the broker mixes in.

Returns the outbox ids written during the measured window, once every one of them is in the
centre (or the drain timeout passed). The figures are computed elsewhere
(lienthong.bench.freshness); this module only runs things and stops them again.
"""

import asyncio
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Engine, select

from connectors.motcua import Simulator, SourceIdentity, create_source_engine
from connectors.motcua.mapping import event_id_for
from connectors.motcua.outbox import motcua_outbox_runner
from connectors.motcua.source_db import ensure_source_schema, newest_outbox_id
from lienthong.demo.signing_keys import demo_signing_keys
from lienthong.demo.worker_process import WorkerProcess
from lienthong.devkafka import find_free_port
from lienthong.errors import FatalError
from lienthong.ids import ConnectorName, TopicName
from lienthong.settings import Settings, TopicSettings
from streams.centre import open_centre, read_offsets
from streams.centre.schema import DOSSIER_HISTORY

__all__ = ["OutboxWindow", "PipelinePlan", "isolated_settings", "run_pipeline", "source_identity"]

_POLL_S: Final = 0.25
_START_TIMEOUT_S: Final = 120.0


@dataclass(frozen=True)
class PipelinePlan:
    duration_s: float
    rate_per_s: float
    warmup_s: float
    drain_timeout_s: float
    seed: int


@dataclass(frozen=True)
class OutboxWindow:
    """Outbox ids after `after`, up to and including `last`: the changes measured."""

    after: int
    last: int
    seconds: float
    """How long the window lasted, by the loop's clock."""
    drained: bool
    """Every change of the window reached the centre before the drain timeout."""
    worker_peak_rss_bytes: int | None = None
    """The worker process's peak resident memory over the whole run."""


def isolated_settings(settings: Settings, suffix: str, centre: Settings | None) -> Settings:
    """`settings` with topics, connector, consumer group and ports unique to this run, the
    source and (unless `centre` says otherwise) the centre as SQLite files in a folder of the
    bench's own, `<var_dir>/bench/freshness`."""
    var_dir = settings.var_dir / "bench" / "freshness"
    topics = settings.topics.model_copy(
        update={
            name: TopicName(f"bench.{suffix}.{getattr(settings.topics, name)}")
            for name in _topic_fields()
        }
    )
    centre_settings = (centre or settings).centre
    if centre is None:
        centre_settings = centre_settings.model_copy(update={"dsn": None, "sqlite_path": None})
    return settings.model_copy(
        update={
            "var_dir": var_dir,
            "topics": topics,
            "centre": centre_settings,
            "source": settings.source.model_copy(update={"dsn": None, "sqlite_path": None}),
            "connector": settings.connector.model_copy(
                update={"name": ConnectorName(f"bench-freshness-{suffix}")}
            ),
            "streams": settings.streams.model_copy(
                update={"app_id": f"bench-freshness-{suffix}", "web_port": find_free_port()}
            ),
            "registry": settings.registry.model_copy(update={"port": find_free_port()}),
        }
    )


def source_identity(settings: Settings) -> SourceIdentity:
    return SourceIdentity(settings.source.agency_id, settings.source.system_id)


async def run_pipeline(settings: Settings, plan: PipelinePlan) -> OutboxWindow:
    """Run until the pipeline is warm, measure for `plan.duration_s`, then drain.

    The department signs its events as the demo's do (a key of its own, registered), since
    the worker applies signed events only."""
    agency = settings.source.agency_id
    keys = await demo_signing_keys(settings, [agency])
    trust = settings.trust.model_copy(update={"signing_key_file": keys[agency]})
    settings = settings.model_copy(update={"trust": trust})
    source = create_source_engine(settings)
    await asyncio.to_thread(ensure_source_schema, source)
    centre = open_centre(settings)
    with _environment(_worker_environment(settings)):
        worker = WorkerProcess(settings, settings.var_dir / "logs" / "worker.log")
    simulator = Simulator(source, seed=plan.seed)
    connector = motcua_outbox_runner(settings)
    simulation_stop, connector_stop = asyncio.Event(), asyncio.Event()
    simulation = asyncio.create_task(simulator.run(plan.rate_per_s, None, simulation_stop))
    publishing = asyncio.create_task(connector.run(connector_stop))
    loop = asyncio.get_running_loop()

    async def until(done: Callable[[], bool], timeout_s: float) -> bool:
        deadline = loop.time() + timeout_s
        while not await asyncio.to_thread(done):
            _check_running(worker, publishing)
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(_POLL_S)
        return True

    async def newest() -> int:
        return await asyncio.to_thread(newest_outbox_id, source) or 0

    try:
        topic, group = settings.topics.dossiers, settings.streams.app_id
        if not await until(lambda: bool(read_offsets(centre, group, topic)), _START_TIMEOUT_S):
            raise FatalError(f"the stream worker wrote nothing in {_START_TIMEOUT_S:.0f} s")
        await until(_never, plan.warmup_s)  # past the first batches: a steady pipeline
        after, started = await newest(), loop.time()
        await until(_never, plan.duration_s)
        last, seconds = await newest(), loop.time() - started
        simulation_stop.set()
        await simulation
        wanted = {
            str(event_id_for(source_identity(settings), i)) for i in range(after + 1, last + 1)
        }
        drained = await until(lambda: wanted <= _applied(centre), plan.drain_timeout_s)
        return OutboxWindow(after, last, seconds, drained, worker.peak_rss_bytes())
    finally:
        simulation_stop.set()
        connector_stop.set()
        await asyncio.gather(simulation, publishing, return_exceptions=True)
        await asyncio.to_thread(worker.stop)
        source.dispose()
        centre.dispose()


def _never() -> bool:
    return False


def _applied(centre: Engine) -> set[str]:
    with centre.connect() as conn:
        return {str(event_id) for event_id in conn.scalars(select(DOSSIER_HISTORY.c.event_id))}


def _check_running(worker: WorkerProcess, publishing: asyncio.Task[None]) -> None:
    if not worker.alive:
        raise FatalError(
            f"the stream worker exited with code {worker.exit_code}; "
            f"its log ({worker.log_path}) ends with:\n{worker.log_tail()}"
        )
    if publishing.done():
        publishing.result()  # the connector only returns early by raising
        raise FatalError("the outbox connector stopped")


def _topic_fields() -> list[str]:
    return [
        name for name, field in TopicSettings.model_fields.items() if field.annotation is TopicName
    ]


def _worker_environment(settings: Settings) -> dict[str, str | None]:
    """What the worker must see besides what WorkerProcess passes on; None removes a variable
    this process may have, so the worker reads the same stores as the bench."""
    topics = {
        f"LIENTHONG_TOPICS__{name.upper()}": str(getattr(settings.topics, name))
        for name in _topic_fields()
    }
    dsn = settings.centre.dsn
    return topics | {
        "LIENTHONG_STREAMS__APP_ID": settings.streams.app_id,
        "LIENTHONG_STREAMS__WEB_PORT": str(settings.streams.web_port),
        "LIENTHONG_CENTRE__DSN": None if dsn is None else dsn.get_secret_value(),
        "LIENTHONG_CENTRE__SQLITE_PATH": None,
    }


@contextmanager
def _environment(changes: dict[str, str | None]) -> Iterator[None]:
    """Environment variables set (or removed, for None) for the block: a child process
    started inside it inherits them."""
    saved = {name: os.environ.get(name) for name in changes}
    _apply(changes)
    try:
        yield
    finally:
        _apply(saved)


def _apply(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
