"""The connector's publish rate beside raw aiokafka producing the same bytes, in one run.

- connector: `ConnectorRunner` on a `MemorySource` holding N dossier changes: text cleaned,
  validated by the domain model, Avro-encoded with the registry's schema id, and published in
  Kafka transactions (idempotent, acks=all) of up to `batch_size` items, each carrying the
  connector's position. Timed from the moment the runner takes the first change until N
  events are committed; start-up (topics, schemas, fencing, the stored position) is left out.
- raw: an idempotent `AIOKafkaProducer` (acks=all, the publisher's linger and batch size)
  sending the very records the connector writes, captured beforehand with the same
  `EventBuilder` and clock: key, value bytes and headers, to a topic of its own, with no
  transaction. Timed from the first send until the last is acknowledged.

Each repeat runs both back to back, alternating which goes first; rates are medians over the
repeats and the ratio is the median of the per-repeat ratios. Afterwards the connector's topic
is read back (committed records only) and must hold every event of every repeat.
"""

import asyncio
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from aiokafka import AIOKafkaProducer

from connectors.building import EventBuilder
from connectors.contract import Change, Domain
from connectors.publisher import OutgoingRecord
from connectors.registration import prepared_serializer
from connectors.runner import ConnectorRunner
from connectors.spec import ConnectorSpec
from lienthong.bench.memory_source import MemorySource, bench_dossier_changes
from lienthong.bench.summary import median_ratio
from lienthong.bench.topic_counts import count_events
from lienthong.bench.topics import delete_topics, fresh_suffix
from lienthong.devkafka import find_free_port
from lienthong.errors import FatalError
from lienthong.ids import ConnectorName, TopicName
from lienthong.kafka_clients import kafka_client_options
from lienthong.registry import running_registry
from lienthong.serde import RegistryClient
from lienthong.settings import Settings, TopicSettings
from lienthong.topics import TopicSpec, bus_topics, ensure_topics

__all__ = ["ConnectBench", "ConnectPlan", "run_connect_bench"]

_LINGER_MS: Final = 5
_MAX_BATCH_BYTES: Final = 256 * 1024
"""As `connectors.publisher.TransactionalPublisher` configures its producer."""
_INGESTED_AT: Final = datetime(2025, 7, 1, 8, 0, tzinfo=UTC)
"""One clock for both sides, so the connector's records are byte for byte the raw ones."""
_POLL_S: Final = 0.002
_STALL_S: Final = 60.0
_AGENCY, _SYSTEM = "000.00.00.H41", "motcua"


@dataclass(frozen=True)
class ConnectPlan:
    records: int = 20_000
    batch_size: int = 500
    repeats: int = 3
    seed: int = 0


@dataclass(frozen=True)
class ConnectBench:
    records: int
    batch_size: int
    repeats: int
    partitions: int
    mean_value_bytes: float
    connector_per_s: float
    """Median change events per second committed by the connector."""
    raw_per_s: float
    """Median of the same records per second acknowledged to the raw producer."""
    connector_mb_per_s: float
    """Median megabytes (10^6) of keys and values per second, the connector's."""
    raw_mb_per_s: float
    ratio: float
    """Median over repeats of connector / raw, measured back to back."""
    candidate_events: int
    """Events read back from the connector's topic: records x repeats."""


async def run_connect_bench(settings: Settings, plan: ConnectPlan) -> ConnectBench:
    """Run both sides on topics and a schema registry of the run's own; delete them after."""
    suffix = fresh_suffix()
    settings = _isolated(settings, suffix)
    raw_topic = TopicName(f"bench.connect.{suffix}.raw")
    topics = [
        *bus_topics(settings),
        TopicSpec(raw_topic, settings.topics.partitions, settings.topics.replication_factor),
    ]
    changes = bench_dossier_changes(plan.records, seed=plan.seed)
    await ensure_topics(settings, topics)
    try:
        async with running_registry(settings) as url:
            registry = settings.registry.model_copy(update={"url": url})
            runs = _Runs(settings.model_copy(update={"registry": registry}), plan, suffix)
            records = await runs.capture(changes)
            connector_s, raw_s = await runs.measure(changes, records, raw_topic)
        candidate = await count_events(settings, settings.topics.dossiers)
    finally:
        await delete_topics(settings, [spec.name for spec in topics] + [settings.registry.topic])
    expected = plan.records * plan.repeats
    if candidate != expected:
        raise FatalError(f"the connector's topic holds {candidate} events, not {expected}")
    payload = sum(len(r.key or b"") + len(r.value or b"") for r in records)
    events = [len(r.value) for r in records if r.value is not None]
    connector_rates = [plan.records / seconds for seconds in connector_s]
    raw_rates = [plan.records / seconds for seconds in raw_s]
    return ConnectBench(
        records=plan.records,
        batch_size=plan.batch_size,
        repeats=plan.repeats,
        partitions=settings.topics.partitions,
        mean_value_bytes=statistics.fmean(events),
        connector_per_s=statistics.median(connector_rates),
        raw_per_s=statistics.median(raw_rates),
        connector_mb_per_s=statistics.median(payload / s / 1e6 for s in connector_s),
        raw_mb_per_s=statistics.median(payload / s / 1e6 for s in raw_s),
        ratio=median_ratio(connector_rates, raw_rates),
        candidate_events=candidate,
    )


class _Runs:
    def __init__(self, settings: Settings, plan: ConnectPlan, suffix: str) -> None:
        self._settings, self._plan, self._suffix = settings, plan, suffix

    def spec(self, name: str) -> ConnectorSpec:
        return ConnectorSpec(
            name=ConnectorName(name),
            kind=MemorySource.kind,
            agency=_AGENCY,
            system=_SYSTEM,
            domains=(Domain.DOSSIERS.value,),
            batch_size=self._plan.batch_size,
        )

    async def capture(self, changes: list[Change]) -> list[OutgoingRecord]:
        """The records the connector will write for `changes` (its positions aside)."""
        settings = self._settings
        topic = Domain.DOSSIERS.topic(settings.topics)
        registry = RegistryClient.from_settings(settings.registry)
        try:
            encoder = await prepared_serializer(
                registry, settings, Domain.DOSSIERS.record_name, topic
            )
        finally:
            await registry.close()
        spec = self.spec(f"bench-connect-{self._suffix}")
        builder = EventBuilder(spec, settings.topics, {Domain.DOSSIERS: encoder})
        records: list[OutgoingRecord] = []
        for change in changes:
            outcome = builder.records(change, _INGESTED_AT)
            if outcome.dead_letter is not None:
                raise FatalError(f"a bench change was rejected: {outcome.dead_letter.reason}")
            records.extend(outcome.records)
        return records

    async def measure(
        self, changes: list[Change], records: list[OutgoingRecord], raw_topic: TopicName
    ) -> tuple[list[float], list[float]]:
        """Seconds of each repeat, the connector's and the raw producer's."""
        connector_s: list[float] = []
        raw_s: list[float] = []
        for repeat in range(self._plan.repeats):
            if repeat % 2 == 0:
                connector_s.append(await self._connector(repeat, changes))
                raw_s.append(await self._raw(records, raw_topic))
            else:
                raw_s.append(await self._raw(records, raw_topic))
                connector_s.append(await self._connector(repeat, changes))
        return connector_s, raw_s

    async def _connector(self, repeat: int, changes: list[Change]) -> float:
        """A connector of a new name (so from the start of the list) until all is published."""
        source = MemorySource(
            self.spec(f"bench-connect-{self._suffix}-{repeat}"), self._settings, changes
        )
        runner = ConnectorRunner(source, self._settings, clock=lambda: _INGESTED_AT)
        stop = asyncio.Event()
        running = asyncio.create_task(runner.run(stop))
        try:
            deadline = time.monotonic() + _STALL_S
            seen = 0
            while (published := runner.stats.published) < self._plan.records:
                if running.done():
                    running.result()  # raises what stopped the connector
                    raise FatalError("the connector stopped before publishing every change")
                if published != seen:
                    seen, deadline = published, time.monotonic() + _STALL_S
                elif time.monotonic() > deadline:
                    raise FatalError(f"the connector published nothing for {_STALL_S:.0f} s")
                await asyncio.sleep(_POLL_S)
            finished = time.perf_counter()
        finally:
            stop.set()
            await running
        if source.first_read_at is None:
            raise FatalError("the connector never read its source")
        return finished - source.first_read_at

    async def _raw(self, records: list[OutgoingRecord], topic: TopicName) -> float:
        kafka = self._settings.kafka
        producer = AIOKafkaProducer(
            **kafka_client_options(kafka),
            client_id=f"{kafka.client_id}-bench-raw",
            request_timeout_ms=int(kafka.request_timeout_s * 1000),
            acks="all",
            enable_idempotence=True,
            linger_ms=_LINGER_MS,
            max_batch_size=_MAX_BATCH_BYTES,
        )
        await producer.start()
        try:
            started = time.perf_counter()
            deliveries = [
                await producer.send(
                    topic, value=record.value, key=record.key, headers=list(record.headers)
                )
                for record in records
            ]
            await asyncio.gather(*deliveries)
            return time.perf_counter() - started
        finally:
            await producer.stop()


def _isolated(settings: Settings, suffix: str) -> Settings:
    """`settings` with bus topics, and a registry (port and schemas topic), of the run's own."""
    prefix = f"bench.connect.{suffix}"
    names = [n for n, f in TopicSettings.model_fields.items() if f.annotation is TopicName]
    topics = settings.topics.model_copy(
        update={name: TopicName(f"{prefix}.{getattr(settings.topics, name)}") for name in names}
    )
    registry = settings.registry.model_copy(
        update={"port": find_free_port(), "topic": TopicName(f"{prefix}._schemas")}
    )
    return settings.model_copy(update={"topics": topics, "registry": registry})
