"""Kafka's admin answers (aiokafka hands them over as plain structures) as typed records."""

from collections.abc import Iterable, Sequence
from typing import Any

from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment

from lienthong.observe.records import GroupMember, GroupState, PartitionPlacement

__all__ = [
    "INTERNAL_PREFIX",
    "group_states",
    "is_internal",
    "placements_by_topic",
    "topic_configs",
]

INTERNAL_PREFIX = "_"
"""Kafka's own topics start with "__" (__consumer_offsets), the registry's with "_" (_schemas)."""


def is_internal(topic: str) -> bool:
    return topic.startswith(INTERNAL_PREFIX)


def placements_by_topic(described: Iterable[dict[str, Any]]) -> dict[str, list[PartitionPlacement]]:
    """Topic -> its partitions in order, from a metadata answer; topics in error are left out."""
    found: dict[str, list[PartitionPlacement]] = {}
    for entry in described:
        if entry.get("error_code"):
            continue
        found[str(entry["topic"])] = sorted(
            (
                PartitionPlacement(
                    partition=int(p["partition"]),
                    leader=int(p["leader"]),
                    replicas=tuple(int(r) for r in p.get("replicas") or ()),
                    in_sync=tuple(int(r) for r in p.get("isr") or ()),
                )
                for p in entry["partitions"]
            ),
            key=lambda placement: placement.partition,
        )
    return found


def topic_configs(responses: Iterable[Any]) -> dict[str, dict[str, str]]:
    """Topic -> its configuration, from DescribeConfigs answers; sensitive values left out."""
    configs: dict[str, dict[str, str]] = {}
    for response in responses:
        for error_code, _message, _type, name, entries, *_rest in response.resources:
            if error_code:
                continue
            configs[str(name)] = {
                str(entry[0]): str(entry[1])
                for entry in entries
                if entry[1] is not None and not entry[4]
            }
    return configs


def _assignment(raw: bytes | None) -> tuple[tuple[str, int], ...]:
    if not raw:
        return ()
    try:
        decoded = ConsumerProtocolMemberAssignment.decode(raw)
    except Exception:  # a member of another protocol (connect, share) has its own format
        return ()
    return tuple(
        sorted(
            (str(topic), int(partition))
            for topic, partitions in decoded.assignment
            for partition in partitions
        )
    )


def group_states(responses: Sequence[Any]) -> list[GroupState]:
    """DescribeGroups answers as group states; a group that errs is reported as Dead."""
    states: list[GroupState] = []
    for response in responses:
        for entry in response.groups:
            error_code, group_id, state, _protocol_type, _protocol, members, *_rest = entry
            states.append(
                GroupState(
                    group_id=str(group_id),
                    state="Dead" if error_code else str(state),
                    members=tuple(
                        GroupMember(
                            member_id=str(member[0]),
                            client_id=str(member[1]),
                            host=str(member[2]),
                            assignment=_assignment(member[4]),
                        )
                        for member in members
                    ),
                )
            )
    return sorted(states, key=lambda state: state.group_id)
