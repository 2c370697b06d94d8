"""What one flush writes: per kind of entity, the changes collapsed per entity and every
change as received (for the history); and the offsets the batch reaches."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from lienthong.events import ChangeEvent, Operation
from lienthong.ids import TopicName
from streams.centre.catalog import kind_of
from streams.centre.kinds import EntityKey, EntityKind

__all__ = ["CentreBatch", "ChangeTransform", "KindBatch", "PartitionOffset", "ReceivedChange"]

ChangeTransform = Callable[[ChangeEvent], ChangeEvent]


@dataclass(frozen=True, order=True)
class PartitionOffset:
    topic: TopicName
    partition: int
    next_offset: int
    """The offset of the first record not yet in the centre (Kafka's committed-offset meaning)."""


@dataclass(frozen=True)
class ReceivedChange:
    """A change event as the centre accepted it, with the record it came from."""

    change: ChangeEvent
    topic: TopicName
    partition: int
    offset: int


@dataclass
class KindBatch:
    """The changes of one kind in a batch.

    Several events for one entity collapse to the one with the highest entity_version (the
    later one on a tie). The store only ever moves an entity forward, so applying that one
    event leaves the same row as applying them all in order; the collapse saves the writes.
    The history still needs every event, so each is also kept once per event_id.
    """

    kind: EntityKind[Any]
    _latest: dict[EntityKey, tuple[int, ChangeEvent]] = field(default_factory=dict)
    _deleted: dict[EntityKey, tuple[int, ChangeEvent]] = field(default_factory=dict)
    _received: dict[str, ReceivedChange] = field(default_factory=dict)

    def add(self, received: ReceivedChange) -> None:
        change = received.change
        key = self.kind.key_of(change)
        version = change.envelope.entity_version
        held = self._latest.get(key)
        if held is None or version >= held[0]:
            self._latest[key] = (version, change)
        if change.envelope.operation == Operation.DELETE:
            # Its marker is written even when a newer create follows in the batch, so the
            # markers do not depend on where batches happen to end.
            deleted = self._deleted.get(key)
            if deleted is None or version >= deleted[0]:
                self._deleted[key] = (version, change)
        # The first record of a duplicated event is its origin; the history keeps that one.
        self._received.setdefault(str(change.envelope.event_id), received)

    @property
    def upserts(self) -> list[ChangeEvent]:
        return [c for _, c in self._latest.values() if c.envelope.operation != Operation.DELETE]

    @property
    def deletes(self) -> list[ChangeEvent]:
        """The newest DELETE per entity, whether or not a newer change follows it."""
        return [c for _, c in self._deleted.values()]

    @property
    def received(self) -> list[ReceivedChange]:
        """Every change added, collapsed or not, each event once, in the order received."""
        return list(self._received.values())

    @property
    def accepted(self) -> list[ChangeEvent]:
        return [received.change for received in self._received.values()]

    @property
    def keys(self) -> list[EntityKey]:
        return list(self._latest)

    def transformed(self, transform: ChangeTransform) -> "KindBatch":
        """The same changes, each passed through `transform` once; keys, versions and order
        stay as they are (the transform must not touch the envelope)."""
        done: dict[int, ChangeEvent] = {}

        def once(change: ChangeEvent) -> ChangeEvent:
            if (made := done.get(id(change))) is None:
                made = done[id(change)] = transform(change)
            return made

        return KindBatch(
            self.kind,
            {key: (version, once(c)) for key, (version, c) in self._latest.items()},
            {key: (version, once(c)) for key, (version, c) in self._deleted.items()},
            {i: replace(r, change=once(r.change)) for i, r in self._received.items()},
        )


@dataclass
class CentreBatch:
    """Changes kept per kind plus the read position per partition."""

    _kinds: dict[str, KindBatch] = field(default_factory=dict)
    _next_offsets: dict[tuple[TopicName, int], int] = field(default_factory=dict)
    _records: int = 0

    def add(self, change: ChangeEvent, topic: TopicName, partition: int, offset: int) -> None:
        kind = kind_of(change)
        if (changes := self._kinds.get(kind.name)) is None:
            changes = self._kinds[kind.name] = KindBatch(kind)
        changes.add(ReceivedChange(change, topic, partition, offset))
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
    def kinds(self) -> list[KindBatch]:
        return list(self._kinds.values())

    def of(self, kind: EntityKind[Any]) -> KindBatch:
        """The changes of `kind` (none when the batch has none of them)."""
        return self._kinds.get(kind.name) or KindBatch(kind)

    def transformed(self, transform: ChangeTransform) -> "CentreBatch":
        """The batch with every change passed through `transform` (KindBatch.transformed),
        covering the same records and offsets."""
        kinds = {name: changes.transformed(transform) for name, changes in self._kinds.items()}
        return CentreBatch(kinds, dict(self._next_offsets), self._records)

    @property
    def offsets(self) -> list[PartitionOffset]:
        return sorted(PartitionOffset(t, p, o) for (t, p), o in self._next_offsets.items())
