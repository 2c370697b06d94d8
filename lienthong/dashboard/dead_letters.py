"""The drill-down of one dead-letter topic: its newest dead letters, each with its reason."""

from datetime import UTC, datetime
from typing import Final

from pydantic import BaseModel, ConfigDict

from lienthong.dlq import DeadLetterRecord, key_text, read_dead_letters, short_class_name
from lienthong.ids import TopicName
from lienthong.settings import Settings

__all__ = ["DeadLetterList", "DeadLetterView", "dead_letter_list", "read_newest_dead_letters"]

SHOWN: Final = 200
"""Dead letters listed at most; an operator wanting them all uses `lienthong dlq`."""
READ_TIMEOUT_S: Final = 15.0


class DeadLetterView(BaseModel):
    model_config = ConfigDict(frozen=True)

    partition: int
    offset: int
    written_at: datetime | None
    original_topic: str | None
    original_partition: int | None
    original_offset: int | None
    stage: str | None
    exception_class: str | None
    exception: str
    """The exception's short class name, `-` when unknown."""
    reason: str | None
    key: str


class DeadLetterList(BaseModel):
    model_config = ConfigDict(frozen=True)

    topic: str
    read: int
    """Dead letters read from the topic (at most its newest SHOWN per partition)."""
    letters: list[DeadLetterView]
    """Newest first."""


def _view(letter: DeadLetterRecord) -> DeadLetterView:
    written = letter.timestamp_ms
    return DeadLetterView(
        partition=letter.partition,
        offset=letter.offset,
        written_at=None if written is None else datetime.fromtimestamp(written / 1000, UTC),
        original_topic=letter.original_topic,
        original_partition=letter.original_partition,
        original_offset=letter.original_offset,
        stage=letter.stage,
        exception_class=letter.exception_class,
        exception=short_class_name(letter.exception_class),
        reason=letter.exception_message,
        key=key_text(letter.key),
    )


def dead_letter_list(topic: TopicName, letters: list[DeadLetterRecord]) -> DeadLetterList:
    newest = sorted(letters, key=lambda x: (x.timestamp_ms or 0, x.offset), reverse=True)
    return DeadLetterList(
        topic=topic, read=len(letters), letters=[_view(x) for x in newest[:SHOWN]]
    )


async def read_newest_dead_letters(
    settings: Settings, topic: TopicName, end_offsets: dict[int, int]
) -> DeadLetterList:
    """`end_offsets` (from the latest sample, when known) spare reading a long topic from its
    start: reading begins SHOWN records before the end of the shortest partition."""
    start = max(min(end_offsets.values(), default=0) - SHOWN, 0)
    letters = await read_dead_letters(settings, topic, from_offset=start, timeout_s=READ_TIMEOUT_S)
    return dead_letter_list(topic, letters)
