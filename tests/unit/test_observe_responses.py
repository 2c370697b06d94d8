"""Kafka's admin answers read into typed records, as aiokafka hands them over."""

from types import SimpleNamespace

from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment

from lienthong.observe import GroupMember, GroupState, PartitionPlacement
from lienthong.observe.responses import (
    group_states,
    is_internal,
    placements_by_topic,
    topic_configs,
)


def test_placements_are_sorted_and_topics_in_error_left_out() -> None:
    described = [
        {
            "error_code": 0,
            "topic": "motcua.dossiers",
            "partitions": [
                {"error_code": 0, "partition": 1, "leader": 2, "replicas": [2, 1], "isr": [2]},
                {"error_code": 0, "partition": 0, "leader": 1, "replicas": [1, 2], "isr": [1, 2]},
            ],
        },
        {"error_code": 3, "topic": "gone", "partitions": []},
    ]
    assert placements_by_topic(described) == {
        "motcua.dossiers": [
            PartitionPlacement(0, 1, (1, 2), (1, 2)),
            PartitionPlacement(1, 2, (2, 1), (2,)),
        ]
    }


def test_topic_configs_leave_out_sensitive_and_unset_values() -> None:
    entries = [
        ("cleanup.policy", "compact", False, 5, False, []),
        ("retention.ms", "604800000", False, 5, False, []),
        ("sasl.secret", "hidden", False, 5, True, []),
        ("unset", None, False, 5, False, []),
    ]
    response = SimpleNamespace(resources=[(0, None, 2, "status", entries), (37, "x", 2, "bad", [])])
    assert topic_configs([response]) == {
        "status": {"cleanup.policy": "compact", "retention.ms": "604800000"}
    }


def test_group_members_show_their_assigned_partitions() -> None:
    assignment = ConsumerProtocolMemberAssignment(
        0, [("motcua.dossiers", [2, 0]), ("land.parcels", [1])], b""
    ).encode()
    member = ("m-1", "lienthong-streams", "/127.0.0.1", b"", assignment)
    response = SimpleNamespace(
        groups=[
            (0, "lienthong-centre", "Stable", "consumer", "range", [member], -2147483648),
            (16, "broken", "", "", "", []),
        ]
    )
    assert group_states([response]) == [
        GroupState("broken", "Dead", ()),
        GroupState(
            "lienthong-centre",
            "Stable",
            (
                GroupMember(
                    "m-1",
                    "lienthong-streams",
                    "/127.0.0.1",
                    (("land.parcels", 1), ("motcua.dossiers", 0), ("motcua.dossiers", 2)),
                ),
            ),
        ),
    ]


def test_an_unreadable_assignment_leaves_the_member_without_partitions() -> None:
    response = SimpleNamespace(
        groups=[(0, "g", "Stable", "connect", "x", [("m", "c", "h", b"", b"\x01")])]
    )
    (state,) = group_states([response])
    assert state.members[0].assignment == ()


def test_internal_topics_start_with_an_underscore() -> None:
    assert is_internal("__consumer_offsets") and is_internal("_schemas")
    assert not is_internal("motcua.dossiers")
