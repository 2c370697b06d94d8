"""What the worker's /metrics says: events applied to the centre and dead-lettered, where
each partition stands, how old its last applied event is, batch times and store failures.

Counting is per batch, not per event: the agent tallies a batch as it reads it
(`BatchTally`) and hands the tally over once the centre committed it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from lienthong.health import process_registry

__all__ = ["BATCH_BUCKETS_S", "BatchTally", "PartitionPosition", "WorkerMetrics"]

BATCH_BUCKETS_S: Final = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

Partition = tuple[str, int]


@dataclass(frozen=True, slots=True)
class PartitionPosition:
    """Where the centre stands on one partition after a committed batch."""

    last_offset: int
    """The last record covered (events, tombstones and dead letters alike)."""
    last_event_at: datetime | None
    """occurred_at of the last change applied from it; None while none was."""


class BatchTally:
    """One batch as the agent read it: changes applied and the last offset per partition."""

    def __init__(self) -> None:
        self.applied: dict[Partition, int] = {}
        self.last_offsets: dict[Partition, int] = {}
        self.last_event_at: dict[Partition, datetime] = {}

    def change(self, topic: str, partition: int, offset: int, occurred_at: datetime) -> None:
        at = (topic, partition)
        self.applied[at] = self.applied.get(at, 0) + 1
        self.last_offsets[at] = offset
        self.last_event_at[at] = occurred_at

    def passed(self, topic: str, partition: int, offset: int) -> None:
        """A record that leaves no row (a tombstone, a dead letter)."""
        self.last_offsets[(topic, partition)] = offset


class WorkerMetrics:
    """The worker's registry and the instruments the agent updates."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.registry: CollectorRegistry = process_registry()
        self.events_applied = Counter(
            "lienthong_worker_events_applied",
            "Change events applied to the centre (committed with their offsets).",
            ("topic", "partition"),
            registry=self.registry,
        )
        self.dead_letters = Counter(
            "lienthong_worker_dead_letters",
            "Records sent to the dead-letter topic, by the topic they came from.",
            ("topic",),
            registry=self.registry,
        )
        self.store_failures = Counter(
            "lienthong_worker_store_failures",
            "Writes of a batch to the centre that failed (each is retried).",
            registry=self.registry,
        )
        self.batch_seconds = Histogram(
            "lienthong_worker_batch_seconds",
            "Time to apply one batch: decoding, dead letters and the centre's commit.",
            buckets=BATCH_BUCKETS_S,
            registry=self.registry,
        )
        self.positions: dict[Partition, PartitionPosition] = {}
        self.registry.register(_PositionCollector(self.positions, clock))

    def committed(self, tally: BatchTally, seconds: float) -> None:
        """The centre committed the tallied batch in `seconds`."""
        for (topic, partition), count in tally.applied.items():
            self.events_applied.labels(topic, str(partition)).inc(count)
        for at, offset in tally.last_offsets.items():
            before = self.positions.get(at)
            event_at = tally.last_event_at.get(at, before.last_event_at if before else None)
            self.positions[at] = PartitionPosition(offset, event_at)
        self.batch_seconds.observe(seconds)

    def forget(self, partitions: Iterable[Partition]) -> None:
        """Partitions revoked from this worker: another one reports them now."""
        for at in partitions:
            self.positions.pop(at, None)


class _PositionCollector(Collector):
    def __init__(
        self, positions: dict[Partition, PartitionPosition], clock: Callable[[], datetime]
    ) -> None:
        self._positions = positions
        self._clock = clock

    def describe(self) -> Iterable[Metric]:
        return self._families({}, None)

    def collect(self) -> Iterable[Metric]:
        return self._families(dict(self._positions), self._clock())

    def _families(
        self, positions: dict[Partition, PartitionPosition], now: datetime | None
    ) -> list[Metric]:
        offsets = GaugeMetricFamily(
            "lienthong_worker_last_applied_offset",
            "The last offset of the partition the centre committed.",
            labels=("topic", "partition"),
        )
        ages = GaugeMetricFamily(
            "lienthong_worker_event_time_lag_seconds",
            "Age of the last change applied from the partition (now - its occurred_at).",
            labels=("topic", "partition"),
        )
        for (topic, partition), position in sorted(positions.items()):
            labels = [topic, str(partition)]
            offsets.add_metric(labels, position.last_offset)
            if position.last_event_at is not None and now is not None:
                ages.add_metric(labels, (now - position.last_event_at).total_seconds())
        return [offsets, ages]
