"""What the dashboard knows about the bus: the latest sample it took and whether Kafka answers."""

from dataclasses import dataclass
from datetime import datetime

from lienthong.observe import BusStatus, GroupState, PartitionLag, TopicState

__all__ = ["BusSample", "DashboardState", "GroupLag"]


@dataclass(frozen=True)
class GroupLag:
    """One consumer group and how far behind it is, per partition it has committed on."""

    group: GroupState
    partitions: tuple[PartitionLag, ...]

    @property
    def total_lag(self) -> int:
        return sum(partition.lag for partition in self.partitions)


@dataclass(frozen=True)
class BusSample:
    """One look at the whole bus, taken through one BusView."""

    status: BusStatus
    topics: tuple[TopicState, ...]
    groups: tuple[GroupLag, ...]

    @property
    def at(self) -> datetime:
        return self.status.at


@dataclass(frozen=True)
class DashboardState:
    """The latest sample, kept while Kafka is down so the page still shows the last known bus."""

    latest: BusSample | None = None
    kafka_up: bool | None = None
    """None until the first attempt to sample has finished."""
    problem: str | None = None
    """Why the last attempt failed, in one line; None when it succeeded."""
    checked_at: datetime | None = None
    """When the last attempt finished, successful or not."""

    @property
    def stale(self) -> bool:
        """The sample shown is older than the last attempt: that attempt failed."""
        return self.problem is not None and self.latest is not None
