"""The centre's sink beside a hand-written consumer script, on the same Kafka records.

The records (creates, then rounds of updates of the same dossiers) are produced once to a
fresh topic with the bus's serializer. Each run then reads the whole topic from the start
with the same consumer and the same batch size, on a store made fresh for it:

- ours: the bus's `AvroDeserializer` (writer schema resolved from the registry, then read
  into the typed `DossierChange`), `CentreSink.add`, and `await sink.flush()` per batch:
  collapsed rows, history and offsets in one transaction;
- baseline: fastavro on the bare body, then one plain upsert per record and a commit per
  batch (lienthong.bench.baseline_sink).

Timed: from the first poll until the last batch is committed. Each repeat runs both sides
back to back, alternating which goes first; rates and the ratio are medians over repeats.
"""

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer

from lienthong.bench.baseline_sink import BaselineSink, read_versions
from lienthong.bench.records import dossier_changes
from lienthong.bench.sink_stores import BenchStores, StoreKind
from lienthong.bench.summary import median_ratio
from lienthong.bench.topics import delete_topics, fresh_suffix, start_reading
from lienthong.codec import SCHEMA_HEADER
from lienthong.errors import FatalError
from lienthong.events import Dossier, DossierChange, Operation
from lienthong.ids import TopicName
from lienthong.kafka_clients import kafka_client_options
from lienthong.serde import AvroDeserializer, AvroSerializer, InMemoryRegistry, repo_schema
from lienthong.settings import Settings
from lienthong.topics import TopicSpec, ensure_topics
from schemas import DOSSIER_CHANGE
from streams.centre import CentreSink, open_centre

__all__ = ["SinkBench", "SinkMeasure", "SinkPlan", "run_sink_bench", "sink_changes"]

Batch = list[Any]
"""aiokafka ConsumerRecords."""

_STALL_S = 30.0
_CONSUMER_GROUP = "lienthong-bench-sink"


@dataclass(frozen=True)
class SinkPlan:
    records: int = 20_000
    dossiers: int = 5_000
    batch_size: int = 500
    repeats: int = 3
    seed: int = 0


@dataclass(frozen=True)
class SinkMeasure:
    store: StoreKind
    ours_per_s: float
    """Median records per second of the centre's sink."""
    baseline_per_s: float
    """Median records per second of the hand-written script."""
    ratio: float
    """Median over repeats of ours / baseline, measured back to back."""
    ours_current: int
    """Dossiers at their newest version in the centre after the last run."""
    baseline_current: int
    """The same, in the baseline's table."""


@dataclass(frozen=True)
class SinkBench:
    records: int
    dossiers: int
    batch_size: int
    repeats: int
    partitions: int
    mean_record_bytes: float
    measures: tuple[SinkMeasure, ...]


def sink_changes(records: int, dossiers: int, *, seed: int = 0) -> list[DossierChange]:
    """`records` changes to `dossiers` dossiers: each one created, then updated round after
    round with rising versions, so several changes of one dossier share most batches.

    An update moves a dossier along as officials do: a new status, processing steps and
    fee, while its procedure, agency, applicant and dates stay those it was received with.
    """
    base = dossier_changes(records, seed=seed)
    first = [_state(change) for change in base[: max(1, min(dossiers, records))]]
    changes = []
    for i, change in enumerate(base):
        received, version = first[i % len(first)], i // len(first) + 1
        envelope = change.envelope.model_copy(
            update={
                "entity_key": received.dossier_no,
                "entity_version": version,
                "operation": Operation.CREATE if version == 1 else Operation.UPDATE,
            }
        )
        moved = _state(change)
        dossier = received.model_copy(
            update={"status": moved.status, "steps": moved.steps, "fee_vnd": moved.fee_vnd}
        )
        changes.append(DossierChange(envelope=envelope, after=dossier))
    return changes


async def run_sink_bench(
    settings: Settings, plan: SinkPlan, stores: Sequence[BenchStores]
) -> SinkBench:
    """Produce the records to a fresh topic, measure every store, delete the topic."""
    changes = sink_changes(plan.records, plan.dossiers, seed=plan.seed)
    newest = {c.envelope.entity_key: c.envelope.entity_version for c in changes}
    partitions = settings.topics.partitions
    topic = TopicName(f"bench.sink.{fresh_suffix()}")
    registry = InMemoryRegistry()
    spec = TopicSpec(topic, partitions, settings.topics.replication_factor)
    await ensure_topics(settings, [spec])
    try:
        mean_bytes = await _produce(settings, topic, changes, registry)
        measures = []
        for store in stores:
            runs = _Runs(settings, plan, topic, registry, store)
            measures.append(await runs.measure(newest))
    finally:
        await delete_topics(settings, [topic])
    return SinkBench(
        records=plan.records,
        dossiers=len(newest),
        batch_size=plan.batch_size,
        repeats=plan.repeats,
        partitions=partitions,
        mean_record_bytes=mean_bytes,
        measures=tuple(measures),
    )


class _Runs:
    """The repeated runs of both sides on one kind of store."""

    def __init__(
        self,
        settings: Settings,
        plan: SinkPlan,
        topic: TopicName,
        registry: InMemoryRegistry,
        store: BenchStores,
    ) -> None:
        self._settings, self._plan, self._topic = settings, plan, topic
        self._registry, self._store = registry, store

    async def measure(self, newest: dict[str, int]) -> SinkMeasure:
        ours_rates: list[float] = []
        baseline_rates: list[float] = []
        for repeat in range(self._plan.repeats):
            await asyncio.to_thread(self._store.reset)
            sides = [(self._ours, ours_rates), (self._baseline, baseline_rates)]
            for run, rates in sides if repeat % 2 == 0 else reversed(sides):
                rates.append(self._plan.records / await run())
        return SinkMeasure(
            store=self._store.kind,
            ours_per_s=statistics.median(ours_rates),
            baseline_per_s=statistics.median(baseline_rates),
            ratio=median_ratio(ours_rates, baseline_rates),
            ours_current=_current(self._store.connect_centre, newest),
            baseline_current=_current(self._store.connect_baseline, newest),
        )

    async def _ours(self) -> float:
        centre = open_centre(self._store.centre_settings(self._settings))
        sink = CentreSink(centre, _CONSUMER_GROUP)
        deserializer = AvroDeserializer(self._registry, reader=repo_schema(DOSSIER_CHANGE))

        async def take(batch: Batch) -> None:
            for record in batch:
                await deserializer.resolve(record.value)
                change = DossierChange.from_avro(deserializer.decode(record.value))
                sink.add(change, TopicName(record.topic), record.partition, record.offset)
            await sink.flush()

        try:
            return await self._timed_consume(take)
        finally:
            sink.close()

    async def _baseline(self) -> float:
        connection = self._store.create_baseline()
        baseline = BaselineSink(connection, self._store.dialect)

        async def take(batch: Batch) -> None:
            records = [baseline.decode(record.value) for record in batch]
            await asyncio.to_thread(baseline.write, records)

        try:
            return await self._timed_consume(take)
        finally:
            connection.close()

    async def _timed_consume(self, take: Callable[[Batch], Awaitable[None]]) -> float:
        """Seconds from the first poll until `take` returned for the last batch."""
        plan, partitions = self._plan, self._settings.topics.partitions
        consumer = await start_reading(self._settings, self._topic, partitions)
        try:
            started = progressed = time.perf_counter()
            done, pending = 0, list[Any]()
            while done < plan.records:
                polled = await consumer.getmany(
                    timeout_ms=500, max_records=plan.batch_size - len(pending)
                )
                for records in polled.values():
                    pending.extend(records)
                if len(pending) >= plan.batch_size or done + len(pending) >= plan.records:
                    await take(pending)
                    done, pending = done + len(pending), []
                    progressed = time.perf_counter()
                elif time.perf_counter() - progressed > _STALL_S:
                    raise FatalError(f"no bench records for {_STALL_S:.0f} s on {self._topic}")
            return time.perf_counter() - started
        finally:
            await consumer.stop()


async def _produce(
    settings: Settings, topic: TopicName, changes: list[DossierChange], registry: InMemoryRegistry
) -> float:
    """Write the changes as the connector does (key, framed Avro, schema header); return the
    mean value size in bytes."""
    serializer = AvroSerializer(registry, repo_schema(DOSSIER_CHANGE))
    await serializer.prepare(topic)
    producer = AIOKafkaProducer(
        **kafka_client_options(settings.kafka),
        client_id=f"{settings.kafka.client_id}-bench",
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
    )
    await producer.start()
    sizes = []
    try:
        headers = [(SCHEMA_HEADER, DOSSIER_CHANGE.encode("ascii"))]
        deliveries = []
        for change in changes:
            value = serializer.encode(change.to_avro())
            sizes.append(len(value))
            key = change.envelope.entity_key.encode("utf-8")
            deliveries.append(await producer.send(topic, value, key=key, headers=headers))
        await asyncio.gather(*deliveries)
    finally:
        await producer.stop()
    return statistics.fmean(sizes)


def _current(connect: Callable[[], Any], newest: dict[str, int]) -> int:
    connection = connect()
    try:
        stored = read_versions(connection)
    finally:
        connection.close()
    return sum(1 for key, version in newest.items() if stored.get(key) == version)


def _state(change: DossierChange) -> Dossier:
    dossier = change.after or change.before
    if dossier is None:
        raise ValueError(f"change {change.envelope.event_id} carries no dossier")
    return dossier
