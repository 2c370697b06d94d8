"""The operators' views as JSON documents with stable keys (`--json` of the CLI).

Datetimes are ISO 8601 in UTC; a value that is not known is null, never left out. Keys:

- topic: name, partitions, replication_factor, records, end_offset_total, dead_letter,
  cleanup_policy, retention_ms (and, described, config and partition_offsets)
- lag: group, at, total_lag, partitions[topic, partition, end_offset, committed_offset, lag,
  last_applied_at, event_time_lag_s]
- status: at, all_up, components[name, up, detail], connectors[…], workers, sources[agency,
  system, last_event_at, last_applied_at, events_applied, age_s, level], dead_letters,
  centre[kind, topic, current_rows, history_rows, last_synced_at, behind],
  subjects[subject, versions]
"""

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from lienthong.observe.records import GroupState, PartitionLag, PartitionPlacement, TopicState
from lienthong.observe.status_records import BusStatus
from lienthong.settings import ObserveSettings

__all__ = ["group_json", "iso", "lag_json", "status_json", "topic_detail_json", "topic_json"]


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def topic_json(topic: TopicState) -> dict[str, Any]:
    retention = topic.config.get("retention.ms")
    return {
        "name": topic.name,
        "partitions": topic.partitions,
        "replication_factor": topic.replication_factor,
        "records": topic.records,
        "end_offset_total": topic.end_total,
        "dead_letter": topic.is_dead_letter,
        "cleanup_policy": topic.config.get("cleanup.policy"),
        "retention_ms": int(retention) if retention is not None else None,
    }


def topic_detail_json(topic: TopicState, placements: list[PartitionPlacement]) -> dict[str, Any]:
    placed = {placement.partition: placement for placement in placements}
    partitions = []
    for partition, end in sorted(topic.end_offsets.items()):
        begin = topic.begin_offsets.get(partition, 0)
        where = placed.get(partition)
        partitions.append(
            {
                "partition": partition,
                "begin_offset": begin,
                "end_offset": end,
                "records": end - begin,
                "leader": where.leader if where else None,
                "replicas": list(where.replicas) if where else [],
                "in_sync_replicas": list(where.in_sync) if where else [],
            }
        )
    return {
        **topic_json(topic),
        "config": dict(sorted(topic.config.items())),
        "partition_offsets": partitions,
    }


def lag_json(group: str, lags: list[PartitionLag], now: datetime) -> dict[str, Any]:
    return {
        "group": group,
        "at": iso(now),
        "total_lag": sum(lag.lag for lag in lags),
        "partitions": [
            {
                "topic": lag.topic,
                "partition": lag.partition,
                "end_offset": lag.end_offset,
                "committed_offset": lag.committed,
                "lag": lag.lag,
                "last_applied_at": iso(lag.last_applied_at),
                "event_time_lag_s": lag.event_time_lag_s(now),
            }
            for lag in lags
        ],
    }


def group_json(group: GroupState) -> dict[str, Any]:
    return {
        "group_id": group.group_id,
        "state": group.state,
        "members": [
            {
                "member_id": member.member_id,
                "client_id": member.client_id,
                "host": member.host,
                "assignment": [{"topic": t, "partition": p} for t, p in member.assignment],
            }
            for member in group.members
        ],
    }


def status_json(status: BusStatus, observe: ObserveSettings, heartbeat_s: float) -> dict[str, Any]:
    now = status.at
    return {
        "at": iso(now),
        "all_up": status.all_up,
        "components": [asdict(component) for component in status.components],
        "connectors": [
            {
                **{k: iso(v) if isinstance(v, datetime) else v for k, v in asdict(c).items()},
                "effective_state": c.effective_state(now, heartbeat_s),
            }
            for c in status.connectors
        ],
        "workers": group_json(status.workers) if status.workers is not None else None,
        "sources": [
            {
                "agency": s.agency,
                "system": s.system,
                "last_event_at": iso(s.last_event_at),
                "last_applied_at": iso(s.last_applied_at),
                "events_applied": s.events_applied,
                "age_s": s.age_s(now),
                "level": s.level(now, observe),
            }
            for s in status.sources
        ],
        "dead_letters": dict(sorted(status.dead_letters.items())),
        "centre": [
            {
                "kind": k.kind,
                "topic": k.topic,
                "current_rows": k.current_rows,
                "history_rows": k.history_rows,
                "last_synced_at": iso(k.last_synced_at),
                "behind": k.behind,
            }
            for k in status.centre
        ],
        "subjects": [{"subject": s.subject, "versions": list(s.versions)} for s in status.subjects],
    }
