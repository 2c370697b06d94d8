"""The `--json` documents: stable keys, ISO 8601 UTC datetimes, nothing left out."""

from datetime import UTC, datetime, timedelta

from lienthong.cli.tables import duration
from lienthong.ids import TopicName
from lienthong.observe import (
    BusStatus,
    CentreKindSync,
    ComponentHealth,
    GroupMember,
    GroupState,
    PartitionLag,
    PartitionPlacement,
    SourceFreshness,
    SubjectVersions,
    TopicState,
)
from lienthong.observe.documents import lag_json, status_json, topic_detail_json, topic_json
from lienthong.settings import ObserveSettings

NOW = datetime(2025, 7, 1, 8, 0, tzinfo=UTC)
DOSSIERS = TopicName("motcua.dossiers")
TOPIC = TopicState(
    DOSSIERS,
    2,
    1,
    {"cleanup.policy": "delete", "retention.ms": "604800000"},
    {0: 0, 1: 2},
    {0: 5, 1: 4},
)


def test_a_topic_document() -> None:
    assert topic_json(TOPIC) == {
        "name": "motcua.dossiers",
        "partitions": 2,
        "replication_factor": 1,
        "records": 7,
        "end_offset_total": 9,
        "dead_letter": False,
        "cleanup_policy": "delete",
        "retention_ms": 604800000,
    }
    detail = topic_detail_json(TOPIC, [PartitionPlacement(0, 1, (1,), (1,))])
    assert detail["partition_offsets"] == [
        {"partition": 0, "begin_offset": 0, "end_offset": 5, "records": 5, "leader": 1,
         "replicas": [1], "in_sync_replicas": [1]},
        {"partition": 1, "begin_offset": 2, "end_offset": 4, "records": 2, "leader": None,
         "replicas": [], "in_sync_replicas": []},
    ]  # fmt: skip
    assert detail["config"]["cleanup.policy"] == "delete"


def test_a_lag_document_totals_the_partitions() -> None:
    applied = NOW - timedelta(seconds=30)
    lags = [
        PartitionLag(DOSSIERS, 0, 5, 3, last_applied_at=applied),
        PartitionLag(DOSSIERS, 1, 4, None),
    ]
    document = lag_json("lienthong-centre", lags, NOW)
    assert document["at"] == "2025-07-01T08:00:00+00:00"
    assert document["total_lag"] == 6
    assert document["partitions"][0] == {
        "topic": "motcua.dossiers",
        "partition": 0,
        "end_offset": 5,
        "committed_offset": 3,
        "lag": 2,
        "last_applied_at": "2025-07-01T07:59:30+00:00",
        "event_time_lag_s": 30.0,
    }
    assert document["partitions"][1]["committed_offset"] is None


def test_a_status_document_has_every_part() -> None:
    workers = GroupState(
        "lienthong-centre", "Stable", (GroupMember("m", "c", "h", ((DOSSIERS, 0),)),)
    )
    status = BusStatus(
        at=NOW,
        components=(
            ComponentHealth("kafka", True, "1 broker"),
            ComponentHealth("centre", False, "x"),
        ),
        connectors=(),
        workers=workers,
        sources=(SourceFreshness("000.00.00.H41", "motcua", NOW - timedelta(minutes=5), NOW, 12),),
        dead_letters={TopicName("motcua.dossiers.dlq"): 2},
        centre=(CentreKindSync("dossiers", DOSSIERS, 10, 12, NOW, 0),),
        subjects=(SubjectVersions("motcua.dossiers-value", (1, 2)),),
    )
    document = status_json(status, ObserveSettings(), heartbeat_s=5.0)
    assert document["all_up"] is False
    assert document["workers"]["members"][0]["assignment"] == [
        {"topic": "motcua.dossiers", "partition": 0}
    ]
    assert document["sources"] == [
        {
            "agency": "000.00.00.H41",
            "system": "motcua",
            "last_event_at": "2025-07-01T07:55:00+00:00",
            "last_applied_at": "2025-07-01T08:00:00+00:00",
            "events_applied": 12,
            "age_s": 300.0,
            "level": "late",
        }
    ]
    assert document["dead_letters"] == {"motcua.dossiers.dlq": 2}
    assert document["centre"][0]["last_synced_at"] == "2025-07-01T08:00:00+00:00"
    assert document["subjects"] == [{"subject": "motcua.dossiers-value", "versions": [1, 2]}]


def test_durations_read_naturally() -> None:
    assert [duration(s) for s in (None, 4.24, 200, 7500, 3 * 86400 + 4 * 3600)] == [
        "-", "4.2 s", "3 min 20 s", "2 h 5 min", "3 d 4 h"
    ]  # fmt: skip
