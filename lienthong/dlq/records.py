"""A dead letter as read from a `<topic>.dlq` topic, and its Kafka Connect error headers."""

from dataclasses import dataclass
from typing import Final

from lienthong.ids import TopicName

__all__ = [
    "CONNECTOR_HEADER",
    "ERRORS_EXCEPTION_CLASS",
    "ERRORS_EXCEPTION_MESSAGE",
    "ERRORS_OFFSET",
    "ERRORS_PARTITION",
    "ERRORS_PREFIX",
    "ERRORS_STAGE",
    "ERRORS_TOPIC",
    "REPLAYED_FROM_HEADER",
    "SOURCE_POSITION_HEADER",
    "DeadLetterRecord",
    "Headers",
    "decode_text",
]

ERRORS_PREFIX: Final = "__connect.errors."
ERRORS_TOPIC: Final = ERRORS_PREFIX + "topic"
ERRORS_PARTITION: Final = ERRORS_PREFIX + "partition"
ERRORS_OFFSET: Final = ERRORS_PREFIX + "offset"
ERRORS_STAGE: Final = ERRORS_PREFIX + "stage"
ERRORS_EXCEPTION_CLASS: Final = ERRORS_PREFIX + "exception.class.name"
ERRORS_EXCEPTION_MESSAGE: Final = ERRORS_PREFIX + "exception.message"
SOURCE_POSITION_HEADER: Final = "lienthong.source.position"
CONNECTOR_HEADER: Final = "lienthong.connector"
REPLAYED_FROM_HEADER: Final = "lienthong.replayed.from"
"""`<dlq topic>:<offset>` on a record re-published from a dead-letter topic."""

Headers = tuple[tuple[str, bytes], ...]


def decode_text(raw: bytes | None) -> str | None:
    """The bytes as UTF-8 text, or None when absent or not UTF-8."""
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _as_int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class DeadLetterRecord:
    topic: TopicName
    """The dead-letter topic it was read from."""
    partition: int
    offset: int
    timestamp_ms: int | None
    key: bytes | None
    value: bytes | None
    headers: Headers

    def header(self, name: str) -> str | None:
        """The last header of that name as text; None when absent or not UTF-8."""
        for found, raw in reversed(self.headers):
            if found == name:
                return decode_text(raw)
        return None

    @property
    def original_topic(self) -> TopicName | None:
        topic = self.header(ERRORS_TOPIC)
        return TopicName(topic) if topic else None

    @property
    def original_partition(self) -> int | None:
        """Set by the stream worker only: a connector's dead letter never reached a topic."""
        return _as_int(self.header(ERRORS_PARTITION))

    @property
    def original_offset(self) -> int | None:
        return _as_int(self.header(ERRORS_OFFSET))

    @property
    def stage(self) -> str | None:
        return self.header(ERRORS_STAGE)

    @property
    def exception_class(self) -> str | None:
        return self.header(ERRORS_EXCEPTION_CLASS)

    @property
    def exception_message(self) -> str | None:
        return self.header(ERRORS_EXCEPTION_MESSAGE)
