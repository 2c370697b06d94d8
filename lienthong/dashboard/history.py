"""The bus's recent past, in memory: one ring buffer of points per series, the newest last.

Series are kept per topic (throughput: the growth of its end offsets per second between two
samples), per consumer group (total lag), per source (age of its newest event) and per
dead-letter topic (records held). A series whose topic, group or source disappears from the
samples is dropped with it.
"""

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lienthong.dashboard.sample import BusSample
from lienthong.observe import SourceFreshness, TopicState

__all__ = ["History", "Point", "SeriesSet", "source_key", "throughput_per_s"]


@dataclass(frozen=True)
class Point:
    at: float
    """Seconds since the Unix epoch."""
    value: float


def throughput_per_s(before: Point, after: Point) -> float | None:
    """Records per second between two readings of a topic's summed end offsets; None when no
    time passed. A topic deleted and created again starts from 0, which is not a negative rate."""
    elapsed = after.at - before.at
    if elapsed <= 0:
        return None
    return max(after.value - before.value, 0.0) / elapsed


def source_key(source: SourceFreshness) -> str:
    """A source is one system of one agency."""
    return f"{source.agency}/{source.system}"


class SeriesSet:
    """The series of one measure, keyed by what is measured."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._rings: dict[str, deque[Point]] = {}

    def update(self, at: float, values: Mapping[str, float]) -> None:
        """Add one point per name; forget the names absent from `values`."""
        for gone in self._rings.keys() - values.keys():
            del self._rings[gone]
        for name, value in values.items():
            ring = self._rings.setdefault(name, deque(maxlen=self._capacity))
            ring.append(Point(at, value))

    def points(self, name: str) -> tuple[Point, ...]:
        return tuple(self._rings.get(name, ()))

    def last(self, name: str) -> float | None:
        ring = self._rings.get(name)
        return ring[-1].value if ring else None

    def names(self) -> list[str]:
        return sorted(self._rings)


class History:
    """Every series the dashboard draws, fed one sample at a time."""

    def __init__(self, capacity: int) -> None:
        self.throughput = SeriesSet(capacity)
        self.group_lag = SeriesSet(capacity)
        self.source_age = SeriesSet(capacity)
        self.dead_letters = SeriesSet(capacity)
        self._ends: dict[str, Point] = {}

    def record(self, sample: BusSample) -> None:
        at = sample.at.timestamp()
        self.throughput.update(at, self._rates(at, sample.topics))
        self.group_lag.update(at, {lag.group.group_id: lag.total_lag for lag in sample.groups})
        ages = {source_key(s): s.age_s(sample.at) for s in sample.status.sources}
        self.source_age.update(at, {key: age for key, age in ages.items() if age is not None})
        self.dead_letters.update(at, {str(t): n for t, n in sample.status.dead_letters.items()})

    def _rates(self, at: float, topics: Iterable[TopicState]) -> dict[str, float]:
        """The rate since the previous sample, for every topic seen in both. A topic's first
        sample has no rate yet; its series then starts at the next one."""
        rates: dict[str, float] = {}
        ends: dict[str, Point] = {}
        for topic in topics:
            now = ends[topic.name] = Point(at, float(topic.end_total))
            before = self._ends.get(topic.name)
            rate = throughput_per_s(before, now) if before is not None else None
            if rate is not None:
                rates[topic.name] = rate
            elif (last := self.throughput.last(topic.name)) is not None:
                rates[topic.name] = last
        self._ends = ends
        return rates
