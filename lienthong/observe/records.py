"""What the bus looks like to an operator: topics, consumer groups and their lag."""

from dataclasses import dataclass, field
from datetime import datetime

from lienthong.ids import TopicName

__all__ = ["GroupMember", "GroupState", "PartitionLag", "PartitionPlacement", "TopicState"]


@dataclass(frozen=True)
class TopicState:
    name: TopicName
    partitions: int
    replication_factor: int
    config: dict[str, str]
    """The topic's effective configuration: at least cleanup.policy and retention.ms."""
    begin_offsets: dict[int, int]
    """Partition -> earliest offset still held."""
    end_offsets: dict[int, int]
    """Partition -> end offset (the high watermark, as Kafka's own tools report it)."""

    @property
    def records(self) -> int:
        """Records held; approximate, transaction markers count as records."""
        return sum(end - self.begin_offsets.get(p, 0) for p, end in self.end_offsets.items())

    @property
    def end_total(self) -> int:
        """Sum of the end offsets: its growth between two samples is the throughput."""
        return sum(self.end_offsets.values())

    @property
    def is_dead_letter(self) -> bool:
        return self.name.endswith(".dlq")


@dataclass(frozen=True)
class PartitionPlacement:
    """Where one partition lives: its leader broker, its replicas and the in-sync ones."""

    partition: int
    leader: int
    replicas: tuple[int, ...]
    in_sync: tuple[int, ...]


@dataclass(frozen=True)
class GroupMember:
    member_id: str
    client_id: str
    host: str
    assignment: tuple[tuple[str, int], ...]
    """(topic, partition) pairs the member consumes."""


@dataclass(frozen=True)
class GroupState:
    group_id: str
    state: str
    """As Kafka reports it: Stable, Empty, PreparingRebalance, CompletingRebalance, Dead."""
    members: tuple[GroupMember, ...] = field(default=())


@dataclass(frozen=True)
class PartitionLag:
    topic: TopicName
    partition: int
    end_offset: int
    committed: int | None
    """Next offset the group reads; None when it has committed nothing for this partition."""
    last_applied_at: datetime | None = None
    """occurred_at of the event at committed-1; None when unknown or not decodable."""

    @property
    def lag(self) -> int:
        """Records between the group's position and the end (the whole partition if none)."""
        return self.end_offset - (self.committed or 0)

    def event_time_lag_s(self, now: datetime) -> float | None:
        """Age of the last event the group got past; None when it is not known."""
        if self.last_applied_at is None:
            return None
        return max((now - self.last_applied_at).total_seconds(), 0.0)
