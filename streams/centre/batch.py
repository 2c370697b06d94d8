"""What one flush writes: the changes, collapsed per dossier, every change as received (for
the history), and the offsets they reach."""

from dataclasses import dataclass, field

from lienthong.events import DossierChange, Operation
from lienthong.ids import TopicName

__all__ = ["CentreBatch", "PartitionOffset", "ReceivedChange"]


@dataclass(frozen=True, order=True)
class PartitionOffset:
    topic: TopicName
    partition: int
    next_offset: int
    """The offset of the first record not yet in the centre (Kafka's committed-offset meaning)."""


@dataclass(frozen=True)
class ReceivedChange:
    """A change event as the centre accepted it, with the record it came from."""

    change: DossierChange
    topic: TopicName
    partition: int
    offset: int


@dataclass
class CentreBatch:
    """Changes kept per dossier number plus the read position per partition.

    Several events for one dossier collapse to the one with the highest entity_version (the
    later one on a tie). The store only ever moves a dossier forward, so applying that one
    event leaves the same row as applying them all in order; the collapse saves the writes.
    The history still needs every event, so each is also kept once per event_id.
    """

    _latest: dict[str, tuple[int, DossierChange]] = field(default_factory=dict)
    _received: dict[str, ReceivedChange] = field(default_factory=dict)
    _next_offsets: dict[tuple[TopicName, int], int] = field(default_factory=dict)
    _records: int = 0

    def add(self, change: DossierChange, topic: TopicName, partition: int, offset: int) -> None:
        key = change.envelope.entity_key
        version = change.envelope.entity_version
        held = self._latest.get(key)
        if held is None or version >= held[0]:
            self._latest[key] = (version, change)
        # The first record of a duplicated event is its origin; the history keeps that one.
        self._received.setdefault(
            str(change.envelope.event_id), ReceivedChange(change, topic, partition, offset)
        )
        self.advance(topic, partition, offset)

    def advance(self, topic: TopicName, partition: int, offset: int) -> None:
        """Count a record that leaves no row (tombstone, dead letter) as read."""
        tp = (topic, partition)
        self._next_offsets[tp] = max(self._next_offsets.get(tp, 0), offset + 1)
        self._records += 1

    @property
    def records(self) -> int:
        """Kafka records covered, including the ones that collapsed or left no row."""
        return self._records

    @property
    def upserts(self) -> list[DossierChange]:
        return [c for _, c in self._latest.values() if c.envelope.operation != Operation.DELETE]

    @property
    def deletes(self) -> list[DossierChange]:
        return [c for _, c in self._latest.values() if c.envelope.operation == Operation.DELETE]

    @property
    def received(self) -> list[ReceivedChange]:
        """Every change added, collapsed or not, each event once, in the order received."""
        return list(self._received.values())

    @property
    def keys(self) -> list[str]:
        return list(self._latest)

    @property
    def offsets(self) -> list[PartitionOffset]:
        return sorted(PartitionOffset(t, p, o) for (t, p), o in self._next_offsets.items())
