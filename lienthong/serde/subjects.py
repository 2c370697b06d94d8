"""Subject names, derived as Confluent's serializers derive them, so every client agrees.

TopicName (the default) gives one subject per topic, so the topic's compatibility level
governs every record on it; RecordName and TopicRecordName allow several record types
on one topic.
"""

from enum import StrEnum
from typing import Final

from lienthong.ids import Subject, TopicName
from lienthong.settings import SubjectNameStrategy

__all__ = ["KEY_SUFFIX", "VALUE_SUFFIX", "MessageField", "subject_name"]

KEY_SUFFIX: Final = "-key"
VALUE_SUFFIX: Final = "-value"


class MessageField(StrEnum):
    """Which part of a Kafka record the schema describes."""

    KEY = "key"
    VALUE = "value"


def subject_name(
    strategy: SubjectNameStrategy,
    topic: TopicName,
    record_full_name: str,
    field: MessageField = MessageField.VALUE,
) -> Subject:
    """The subject under which `record_full_name`, written to `topic`, is registered."""
    if strategy is SubjectNameStrategy.TOPIC_NAME:
        suffix = KEY_SUFFIX if field is MessageField.KEY else VALUE_SUFFIX
        return Subject(f"{topic}{suffix}")
    if strategy is SubjectNameStrategy.RECORD_NAME:
        return Subject(record_full_name)
    return Subject(f"{topic}-{record_full_name}")
