"""The operators' view of the bus: topics, consumer groups, lag, freshness and health."""

from lienthong.observe.behind import records_behind
from lienthong.observe.bus import BusView
from lienthong.observe.errors import (
    BusRequestError,
    BusUnavailableError,
    UnknownGroupError,
    UnknownTopicError,
)
from lienthong.observe.freshness import CentreKindSync, FreshnessLevel, SourceFreshness
from lienthong.observe.records import (
    GroupMember,
    GroupState,
    PartitionLag,
    PartitionPlacement,
    TopicState,
)
from lienthong.observe.status import collect_status
from lienthong.observe.status_records import BusStatus, ComponentHealth, SubjectVersions

__all__ = [
    "BusRequestError",
    "BusStatus",
    "BusUnavailableError",
    "BusView",
    "CentreKindSync",
    "ComponentHealth",
    "FreshnessLevel",
    "GroupMember",
    "GroupState",
    "PartitionLag",
    "PartitionPlacement",
    "SourceFreshness",
    "SubjectVersions",
    "TopicState",
    "UnknownGroupError",
    "UnknownTopicError",
    "collect_status",
    "records_behind",
]
