"""Samples of the bus as the dashboard's sampler takes them, for the dashboard's unit tests."""

from datetime import UTC, datetime, timedelta

from connectors.control import ConnectorState
from lienthong.dashboard import BusSample, GroupLag
from lienthong.ids import TopicName
from lienthong.observe import (
    BusStatus,
    CentreKindSync,
    ComponentHealth,
    GroupMember,
    GroupState,
    PartitionLag,
    SourceFreshness,
    SubjectVersions,
    TopicState,
)

__all__ = ["DOSSIERS", "DOSSIERS_DLQ", "T0", "WORKERS", "bus_sample"]

T0 = datetime(2025, 7, 1, 8, 0, 0, tzinfo=UTC)
DOSSIERS = TopicName("motcua.dossiers")
DOSSIERS_DLQ = TopicName("motcua.dossiers.dlq")
WORKERS = "lienthong-centre"
COMPONENTS = ("kafka", "registry", "centre", "workers", "connectors")


def _topic(name: TopicName, ends: dict[int, int]) -> TopicState:
    return TopicState(
        name=name,
        partitions=len(ends),
        replication_factor=1,
        config={"cleanup.policy": "delete", "retention.ms": "604800000"},
        begin_offsets=dict.fromkeys(ends, 0),
        end_offsets=ends,
    )


def bus_sample(
    at: datetime = T0,
    *,
    dossier_ends: tuple[int, int] = (100, 50),
    committed: tuple[int, int] = (90, 50),
    dead_letters: int = 2,
    last_event_age_s: float = 30.0,
) -> BusSample:
    """The bus at `at`: dossiers on two partitions, the centre's workers `committed` into them,
    one source whose newest event is `last_event_age_s` old, one running connector."""
    first, second = dossier_ends
    member = GroupMember("worker-1", "faust", "/127.0.0.1", ((DOSSIERS, 0), (DOSSIERS, 1)))
    group = GroupState(WORKERS, "Stable", (member,))
    lags = tuple(
        PartitionLag(DOSSIERS, p, end, done, at - timedelta(seconds=5))
        for p, (end, done) in enumerate(zip(dossier_ends, committed, strict=True))
    )
    last_event = at - timedelta(seconds=last_event_age_s)
    status = BusStatus(
        at=at,
        components=tuple(ComponentHealth(name, True, f"{name} fine") for name in COMPONENTS),
        connectors=(
            ConnectorState(
                name="motcua-outbox",
                kind="outbox",
                agency="000.00.00.H41",
                state="RUNNING",
                worker="host:42",
                reported_at=at - timedelta(seconds=1),
                published=1234,
                dead_lettered=dead_letters,
                last_commit_at=at - timedelta(seconds=2),
                position="17",
                error=None,
            ),
        ),
        workers=group,
        sources=(
            SourceFreshness(
                agency="000.00.00.H41",
                system="motcua",
                last_event_at=last_event,
                last_applied_at=last_event + timedelta(seconds=3),
                events_applied=sum(committed),
            ),
        ),
        dead_letters={DOSSIERS_DLQ: dead_letters},
        centre=(
            CentreKindSync(
                kind="dossiers",
                topic=DOSSIERS,
                current_rows=120,
                history_rows=sum(committed),
                last_synced_at=at - timedelta(seconds=1),
                behind=sum(dossier_ends) - sum(committed),
            ),
        ),
        subjects=(SubjectVersions(f"{DOSSIERS}-value", (1, 2)),),
    )
    return BusSample(
        status=status,
        topics=(
            _topic(DOSSIERS, {0: first, 1: second}),
            _topic(DOSSIERS_DLQ, {0: dead_letters}),
        ),
        groups=(GroupLag(group, lags),),
    )
