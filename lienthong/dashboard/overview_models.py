"""The JSON the page reads from `/api/overview`, as typed models.

Series are lists of `[unix seconds, value]` pairs, oldest first. Times are ISO 8601 in UTC;
`now` is the server's clock, which the page measures ages against.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "CentreKindView",
    "ComponentView",
    "ConnectorView",
    "DeadLetterCountView",
    "GroupView",
    "Overview",
    "PartitionEndView",
    "PartitionLagView",
    "SeriesPoints",
    "SourceView",
    "SubjectView",
    "Thresholds",
    "TopicView",
]

SeriesPoints = list[tuple[float, float]]
Level = Literal["healthy", "late", "silent", "unknown"]


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class ComponentView(_View):
    name: str
    up: bool | None
    """None: not known yet (no sample taken)."""
    detail: str


class SourceView(_View):
    agency: str
    system: str
    last_event_at: datetime | None
    last_applied_at: datetime | None
    events_applied: int
    age_s: float | None
    """Time since the newest event applied from this source."""
    event_time_lag_s: float | None
    """How long after it happened the newest event was applied in the centre."""
    level: Level
    age_series: SeriesPoints


class PartitionEndView(_View):
    partition: int
    begin_offset: int
    end_offset: int


class TopicView(_View):
    name: str
    partitions: int
    replication_factor: int
    records: int
    end_total: int
    end_offsets: list[PartitionEndView]
    is_dead_letter: bool
    of_the_bus: bool
    """Named in the bus's settings (as opposed to another application's topic)."""
    throughput_per_s: float | None
    throughput_series: SeriesPoints


class PartitionLagView(_View):
    topic: str
    partition: int
    end_offset: int
    committed: int | None
    lag: int
    event_time_lag_s: float | None


class GroupView(_View):
    group_id: str
    state: str
    members: int
    total_lag: int
    partitions: list[PartitionLagView]
    lag_series: SeriesPoints


class DeadLetterCountView(_View):
    topic: str
    source_topic: str
    count: int
    series: SeriesPoints


class SubjectView(_View):
    subject: str
    versions: list[int]


class CentreKindView(_View):
    kind: str
    topic: str
    current_rows: int
    history_rows: int
    last_synced_at: datetime | None
    behind: int


class ConnectorView(_View):
    name: str
    kind: str
    agency: str
    state: str
    """As the page should read it: the reported state, or UNASSIGNED when reports stopped."""
    reported_state: str
    worker: str
    reported_at: datetime
    published: int
    dead_lettered: int
    last_commit_at: datetime | None
    error: str | None


class Thresholds(_View):
    late_after_s: float
    silent_after_s: float


class Overview(_View):
    bus: str
    bootstrap_servers: str
    now: datetime
    sampled_at: datetime | None
    """When the data shown was taken; None before the first good sample."""
    checked_at: datetime | None
    kafka_up: bool | None
    problem: str | None
    stale: bool
    sample_every_s: float
    thresholds: Thresholds
    components: list[ComponentView]
    sources: list[SourceView]
    topics: list[TopicView]
    groups: list[GroupView]
    dead_letters: list[DeadLetterCountView]
    subjects: list[SubjectView]
    centre: list[CentreKindView]
    connectors: list[ConnectorView]
