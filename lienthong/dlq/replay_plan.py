"""Which dead letters can go back to their topic, and exactly what would be re-published.

Only the stream worker's dead letters hold a record of the original topic (they carry
`__connect.errors.partition`). A connector's dead letter holds a raw outbox row that never
became a record: it must be fixed at the source and published again by the connector.
"""

from dataclasses import dataclass

from lienthong.dlq.errors import NotReplayableError
from lienthong.dlq.records import (
    CONNECTOR_HEADER,
    ERRORS_PREFIX,
    REPLAYED_FROM_HEADER,
    DeadLetterRecord,
    Headers,
)
from lienthong.ids import TopicName

__all__ = ["ReplayPlan", "plan_replay", "replay_refusal", "replayed_from"]


@dataclass(frozen=True)
class ReplayPlan:
    source: DeadLetterRecord
    topic: TopicName
    key: bytes | None
    value: bytes
    headers: Headers


def replayed_from(letter: DeadLetterRecord) -> str:
    return f"{letter.topic}:{letter.offset}"


def replay_refusal(letter: DeadLetterRecord) -> str | None:
    """Why this dead letter cannot be replayed, or None when it can."""
    checked = _target(letter)
    return checked if isinstance(checked, str) else None


def plan_replay(letter: DeadLetterRecord) -> ReplayPlan:
    """The original key, value and headers, minus Connect's error headers, plus where from."""
    checked = _target(letter)
    if isinstance(checked, str):
        raise NotReplayableError(checked)
    topic, value = checked
    kept = tuple((name, raw) for name, raw in letter.headers if not name.startswith(ERRORS_PREFIX))
    origin = (REPLAYED_FROM_HEADER, replayed_from(letter).encode("utf-8"))
    return ReplayPlan(letter, topic, letter.key, value, (*kept, origin))


def _target(letter: DeadLetterRecord) -> tuple[TopicName, bytes] | str:
    """The topic and value to re-publish, or the reason not to."""
    where = replayed_from(letter)
    topic = letter.original_topic
    if topic is None:
        return f"dead letter {where} names no original topic"
    if letter.original_partition is None:
        connector = letter.header(CONNECTOR_HEADER) or "a source connector"
        return (
            f"dead letter {where} comes from connector {connector}: its value is a raw outbox "
            f"row, not a record of {topic}; fix the row at the source and let the connector "
            "publish it again"
        )
    if letter.value is None:
        return f"dead letter {where} has no value to replay"
    if letter.topic != f"{topic}.dlq":
        return f"dead letter {where} names {topic}, whose dead letters belong in {topic}.dlq"
    return topic, letter.value
