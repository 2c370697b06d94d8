"""Builds the page's JSON from the dashboard's state and history; pure, no I/O."""

from datetime import datetime

from lienthong.dashboard.history import History, Point, SeriesSet, source_key
from lienthong.dashboard.overview_models import (
    CentreKindView,
    ComponentView,
    ConnectorView,
    DeadLetterCountView,
    GroupView,
    Overview,
    PartitionEndView,
    PartitionLagView,
    SeriesPoints,
    SourceView,
    SubjectView,
    Thresholds,
    TopicView,
)
from lienthong.dashboard.sample import BusSample, DashboardState, GroupLag
from lienthong.observe import SourceFreshness, TopicState
from lienthong.settings import Settings
from lienthong.topics import bus_topics

__all__ = ["COMPONENTS", "build_overview"]

COMPONENTS = ("kafka", "registry", "centre", "workers", "connectors")
DEAD_LETTER_SUFFIX = ".dlq"


def build_overview(
    settings: Settings, state: DashboardState, history: History, now: datetime
) -> Overview:
    sample = state.latest
    return Overview(
        bus=settings.kafka.client_id,
        bootstrap_servers=settings.kafka.bootstrap_servers,
        now=now,
        sampled_at=sample.at if sample else None,
        checked_at=state.checked_at,
        kafka_up=state.kafka_up,
        problem=state.problem,
        stale=state.stale,
        sample_every_s=settings.dashboard.sample_every_s,
        thresholds=Thresholds(
            late_after_s=settings.observe.late_after_s,
            silent_after_s=settings.observe.silent_after_s,
        ),
        components=_components(state),
        sources=_sources(settings, sample, history, now) if sample else [],
        topics=_topics(settings, sample, history) if sample else [],
        groups=[_group(lag, history, now) for lag in sample.groups] if sample else [],
        dead_letters=_dead_letters(sample, history) if sample else [],
        subjects=[
            SubjectView(subject=s.subject, versions=list(s.versions))
            for s in (sample.status.subjects if sample else ())
        ],
        centre=[
            CentreKindView(
                kind=k.kind,
                topic=k.topic,
                current_rows=k.current_rows,
                history_rows=k.history_rows,
                last_synced_at=k.last_synced_at,
                behind=k.behind,
            )
            for k in (sample.status.centre if sample else ())
        ],
        connectors=_connectors(settings, sample, now) if sample else [],
    )


def _series(points: tuple[Point, ...]) -> SeriesPoints:
    return [(point.at, point.value) for point in points]


def _components(state: DashboardState) -> list[ComponentView]:
    known = {c.name: c for c in state.latest.status.components} if state.latest else {}
    views = []
    for name in (*COMPONENTS, *(n for n in known if n not in COMPONENTS)):
        if name == "kafka" and state.kafka_up is False:
            views.append(ComponentView(name=name, up=False, detail=state.problem or "down"))
        elif name in known:
            views.append(ComponentView(name=name, up=known[name].up, detail=known[name].detail))
        else:
            views.append(ComponentView(name=name, up=None, detail="not checked yet"))
    return views


def _sources(
    settings: Settings, sample: BusSample, history: History, now: datetime
) -> list[SourceView]:
    return [
        SourceView(
            agency=s.agency,
            system=s.system,
            last_event_at=s.last_event_at,
            last_applied_at=s.last_applied_at,
            events_applied=s.events_applied,
            age_s=s.age_s(now),
            event_time_lag_s=_applied_after_s(s),
            level=s.level(now, settings.observe) if s.last_event_at else "unknown",
            age_series=_series(history.source_age.points(source_key(s))),
        )
        for s in sorted(sample.status.sources, key=lambda s: (s.agency, s.system))
    ]


def _applied_after_s(source: SourceFreshness) -> float | None:
    if source.last_event_at is None or source.last_applied_at is None:
        return None
    return max((source.last_applied_at - source.last_event_at).total_seconds(), 0.0)


def _topics(settings: Settings, sample: BusSample, history: History) -> list[TopicView]:
    """The centre's sources first, then their dead letters, the bus's other topics, and last
    any other application's."""
    sources = settings.topics.centre_sources
    ours = {spec.name for spec in bus_topics(settings)}

    def rank(topic: TopicState) -> tuple[int, str]:
        if topic.name in sources:
            return 0, topic.name
        if topic.name in ours:
            return (1 if topic.is_dead_letter else 2), topic.name
        return 3, topic.name

    ordered = sorted(sample.topics, key=rank)
    return [_topic(topic, topic.name in ours, history.throughput) for topic in ordered]


def _topic(topic: TopicState, of_the_bus: bool, throughput: SeriesSet) -> TopicView:
    return TopicView(
        name=topic.name,
        partitions=topic.partitions,
        replication_factor=topic.replication_factor,
        records=topic.records,
        end_total=topic.end_total,
        end_offsets=[
            PartitionEndView(
                partition=partition,
                begin_offset=topic.begin_offsets.get(partition, 0),
                end_offset=end,
            )
            for partition, end in sorted(topic.end_offsets.items())
        ],
        is_dead_letter=topic.is_dead_letter,
        of_the_bus=of_the_bus,
        throughput_per_s=throughput.last(topic.name),
        throughput_series=_series(throughput.points(topic.name)),
    )


def _group(lag: GroupLag, history: History, now: datetime) -> GroupView:
    return GroupView(
        group_id=lag.group.group_id,
        state=lag.group.state,
        members=len(lag.group.members),
        total_lag=lag.total_lag,
        partitions=[
            PartitionLagView(
                topic=p.topic,
                partition=p.partition,
                end_offset=p.end_offset,
                committed=p.committed,
                lag=p.lag,
                event_time_lag_s=p.event_time_lag_s(now),
            )
            for p in sorted(lag.partitions, key=lambda p: (p.topic, p.partition))
        ],
        lag_series=_series(history.group_lag.points(lag.group.group_id)),
    )


def _dead_letters(sample: BusSample, history: History) -> list[DeadLetterCountView]:
    return [
        DeadLetterCountView(
            topic=topic,
            source_topic=topic.removesuffix(DEAD_LETTER_SUFFIX),
            count=count,
            series=_series(history.dead_letters.points(topic)),
        )
        for topic, count in sorted(sample.status.dead_letters.items())
    ]


def _connectors(settings: Settings, sample: BusSample, now: datetime) -> list[ConnectorView]:
    heartbeat_s = settings.connector.heartbeat_every_s
    return [
        ConnectorView(
            name=c.name,
            kind=c.kind,
            agency=c.agency,
            state=c.effective_state(now, heartbeat_s),
            reported_state=c.state,
            worker=c.worker,
            reported_at=c.reported_at,
            published=c.published,
            dead_lettered=c.dead_lettered,
            last_commit_at=c.last_commit_at,
            error=c.error,
        )
        for c in sorted(sample.status.connectors, key=lambda c: c.name)
    ]
