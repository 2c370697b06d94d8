"""How fresh the centre is: per change, from its commit at the source to its commit in the
centre, at a steady rate through the real pipeline (as `lienthong demo` runs it).

Source time: the outbox row's `occurred_at`, stamped by the department's application in the
transaction that writes the change (the commit follows within the same call). Centre time:
the history row's `applied_at`, taken when the worker's write of that batch begins. The two
are joined by event id: the connector derives it from the outbox id (`event_id_for`), and a
change whose id is missing from the centre counts as not applied. The split between the two
legs is the Kafka record's timestamp, set by the connector's producer when it sends the
record (CreateTime), read back from the topic by the event-id header.
"""

import asyncio
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import select

from connectors.headers import EVENT_ID_HEADER
from connectors.motcua import create_source_engine
from connectors.motcua.department import as_utc
from connectors.motcua.mapping import event_id_for
from connectors.motcua.source_tables import outbox_table
from lienthong.bench.freshness_pipeline import (
    OutboxWindow,
    PipelinePlan,
    isolated_settings,
    run_pipeline,
    source_identity,
)
from lienthong.bench.sink_stores import BenchStores
from lienthong.bench.summary import LatencySummary, summarize_latencies
from lienthong.bench.topics import delete_topics, fresh_suffix, start_reading
from lienthong.errors import FatalError
from lienthong.registry import running_registry
from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics
from streams.centre import create_centre_engine
from streams.centre.schema import DOSSIER_HISTORY

__all__ = [
    "ChangeTimes",
    "FreshnessBench",
    "FreshnessPlan",
    "LatencyLegs",
    "latency_legs",
    "run_freshness_bench",
]

_STALL_S: Final = 30.0


@dataclass(frozen=True)
class FreshnessPlan:
    duration_s: float = 60.0
    rate_per_s: float = 50.0
    warmup_s: float = 5.0
    drain_timeout_s: float = 60.0
    seed: int = 2025


@dataclass(frozen=True)
class ChangeTimes:
    """When one change was committed at the source, appended to Kafka, applied in the centre."""

    source_at: datetime
    kafka_at: datetime | None
    centre_at: datetime | None


@dataclass(frozen=True)
class LatencyLegs:
    end_to_end_ms: list[float]
    connector_ms: list[float]
    """Source commit to the Kafka record's timestamp."""
    stream_ms: list[float]
    """The Kafka record's timestamp to the centre's write."""


@dataclass(frozen=True)
class FreshnessBench:
    duration_s: float
    rate_per_s: float
    """Planned changes per second."""
    achieved_per_s: float
    """Changes committed at the source per second of the measured window."""
    changes: int
    applied: int
    """Changes of the window found in the centre."""
    drained: bool
    centre: str
    batch_within_s: float
    """The worker's batch window: a change waits for at most this long before its write."""
    connector_poll_s: float
    end_to_end: LatencySummary | None
    connector_leg: LatencySummary | None
    stream_leg: LatencySummary | None
    worker_peak_rss_mb: float | None = None
    """Peak resident memory of the stream worker process over the run."""


def latency_legs(times: Iterable[ChangeTimes]) -> LatencyLegs:
    """Milliseconds per leg; a change enters a leg only when both of its ends are known."""
    legs = LatencyLegs([], [], [])
    for change in times:
        if change.centre_at is not None:
            legs.end_to_end_ms.append(_ms(change.centre_at - change.source_at))
        if change.kafka_at is not None:
            legs.connector_ms.append(_ms(change.kafka_at - change.source_at))
            if change.centre_at is not None:
                legs.stream_ms.append(_ms(change.centre_at - change.kafka_at))
    return legs


async def run_freshness_bench(
    settings: Settings, plan: FreshnessPlan, centre: BenchStores | None = None
) -> FreshnessBench:
    """Run the pipeline on names of its own, then join the three clocks per change.

    The centre is fresh SQLite unless `centre` (PostgreSQL) is given: its schema is reset."""
    centre_settings = None
    if centre is not None:
        await asyncio.to_thread(centre.reset)
        centre_settings = centre.centre_settings(settings)
    settings = isolated_settings(settings, fresh_suffix(), centre_settings)
    # The previous run's source, centre and logs go: every run starts on empty stores.
    await asyncio.to_thread(shutil.rmtree, settings.var_dir, True)
    await ensure_topics(settings, bus_topics(settings))
    try:
        async with running_registry(settings) as registry_url:
            registry = settings.registry.model_copy(update={"url": registry_url})
            settings = settings.model_copy(update={"registry": registry})
            pipeline = PipelinePlan(
                plan.duration_s, plan.rate_per_s, plan.warmup_s, plan.drain_timeout_s, plan.seed
            )
            window = await run_pipeline(settings, pipeline)
        times = await _change_times(settings, window)
    finally:
        await delete_topics(settings, [spec.name for spec in bus_topics(settings)])
    legs = latency_legs(times)
    return FreshnessBench(
        duration_s=window.seconds,
        rate_per_s=plan.rate_per_s,
        achieved_per_s=len(times) / window.seconds if window.seconds else 0.0,
        changes=len(times),
        applied=len(legs.end_to_end_ms),
        drained=window.drained,
        centre="sqlite" if settings.centre.dsn is None else "postgresql",
        batch_within_s=settings.streams.batch_within_s,
        connector_poll_s=settings.connector.poll_interval_s,
        end_to_end=summarize_latencies(legs.end_to_end_ms),
        connector_leg=summarize_latencies(legs.connector_ms),
        stream_leg=summarize_latencies(legs.stream_ms),
        worker_peak_rss_mb=None
        if window.worker_peak_rss_bytes is None
        else window.worker_peak_rss_bytes / 2**20,
    )


async def _change_times(settings: Settings, window: OutboxWindow) -> list[ChangeTimes]:
    sourced = await asyncio.to_thread(_source_times, settings, window)
    applied = await asyncio.to_thread(_centre_times, settings)
    appended = await _kafka_times(settings)
    return [
        ChangeTimes(source_at, appended.get(event_id), applied.get(event_id))
        for event_id, source_at in sourced.items()
    ]


def _source_times(settings: Settings, window: OutboxWindow) -> dict[str, datetime]:
    """Event id to outbox `occurred_at`, for the window's outbox rows."""
    identity = source_identity(settings)
    engine = create_source_engine(settings)
    table = outbox_table
    query = select(table.c.id, table.c.occurred_at).where(
        table.c.id > window.after, table.c.id <= window.last
    )
    try:
        with engine.connect() as conn:
            rows = conn.execute(query).all()
    finally:
        engine.dispose()
    return {str(event_id_for(identity, row_id)): as_utc(at) for row_id, at in rows}


def _centre_times(settings: Settings) -> dict[str, datetime]:
    engine = create_centre_engine(settings)
    query = select(DOSSIER_HISTORY.c.event_id, DOSSIER_HISTORY.c.applied_at)
    try:
        with engine.connect() as conn:
            return {str(event_id): at for event_id, at in conn.execute(query)}
    finally:
        engine.dispose()


async def _kafka_times(settings: Settings) -> dict[str, datetime]:
    """Event id to record timestamp, reading the dossier topic to its end (committed only)."""
    topic = settings.topics.dossiers
    consumer = await start_reading(settings, topic, settings.topics.partitions)
    times: dict[str, datetime] = {}
    try:
        ends = await consumer.end_offsets(list(consumer.assignment()))
        progressed = time.monotonic()
        while any([await consumer.position(tp) < end for tp, end in ends.items()]):
            polled = await consumer.getmany(timeout_ms=500)
            for records in polled.values():
                progressed = time.monotonic()
                for record in records:
                    event_id = dict(record.headers).get(EVENT_ID_HEADER)
                    if record.value is not None and event_id is not None:
                        moment = datetime.fromtimestamp(record.timestamp / 1000, UTC)
                        times[event_id.decode("ascii")] = moment
            if time.monotonic() - progressed > _STALL_S:
                raise FatalError(f"{topic} could not be read to its end in {_STALL_S:.0f} s")
    finally:
        await consumer.stop()
    return times


def _ms(delta: timedelta) -> float:
    return delta.total_seconds() * 1000
