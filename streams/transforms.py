"""Pure steps of the centre's streams: Kafka record in, change or tombstone or dead letter out.

No I/O here: the agent calls these and does the writing.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from pydantic import ValidationError

from lienthong.codec import SCHEMA_HEADER, RecordDecoder
from lienthong.errors import DeadLetterError, SchemaError
from lienthong.events import ChangeEvent
from lienthong.ids import TopicName
from streams.centre.kinds import EntityKind

__all__ = [
    "DeadLetter",
    "ErrorStage",
    "Headers",
    "Tombstone",
    "dead_letter_headers",
    "decode_record",
    "exception_class_name",
]

Headers = list[tuple[str, bytes]]

_CONNECT_PREFIX: Final = "__connect.errors."


class ErrorStage(StrEnum):
    """Where a record failed, in Kafka Connect's vocabulary (`__connect.errors.stage`)."""

    KEY_CONVERTER = "KEY_CONVERTER"
    VALUE_CONVERTER = "VALUE_CONVERTER"
    TRANSFORMATION = "TRANSFORMATION"


@dataclass(frozen=True)
class Tombstone:
    """A null value after a DELETE, kept for log compaction; the DELETE already did the work."""

    key: bytes | None


@dataclass(frozen=True)
class DeadLetter:
    stage: ErrorStage
    exception_class: str
    message: str


def decode_record(
    key: bytes | None,
    value: bytes | None,
    headers: Iterable[tuple[str, bytes]] | Mapping[str, bytes] | None,
    codec: RecordDecoder,
    kind: EntityKind[Any],
) -> ChangeEvent | Tombstone | DeadLetter:
    """The change a record of `kind`'s topic carries, checked against the kind's contract."""
    if value is None:
        return Tombstone(key)
    try:
        return _decode(key, value, dict(headers or {}), codec, kind)
    except DeadLetterError as exc:
        cause = exc.__cause__ or exc
        return DeadLetter(ErrorStage(exc.stage), exception_class_name(cause), exc.reason)
    except Exception as exc:  # a record no check foresaw: it alone goes, the stream goes on
        return DeadLetter(ErrorStage.VALUE_CONVERTER, exception_class_name(exc), repr(exc))


def dead_letter_headers(
    letter: DeadLetter,
    original: Iterable[tuple[str, bytes]] | Mapping[str, bytes] | None,
    *,
    topic: TopicName,
    partition: int,
    offset: int,
    consumer_group: str,
) -> Headers:
    """The record's own headers followed by Kafka Connect's error headers."""
    kept = list(original.items() if isinstance(original, Mapping) else original or ())
    errors = {
        "topic": topic,
        "partition": str(partition),
        "offset": str(offset),
        "connector.name": consumer_group,
        "stage": letter.stage.value,
        "exception.class.name": letter.exception_class,
        "exception.message": letter.message,
    }
    return kept + [(_CONNECT_PREFIX + name, text.encode()) for name, text in errors.items()]


def _decode(
    key: bytes | None,
    value: bytes,
    headers: Mapping[str, bytes],
    codec: RecordDecoder,
    kind: EntityKind[Any],
) -> ChangeEvent:
    try:
        entity_key = (key or b"").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DeadLetterError("record key is not UTF-8", stage=ErrorStage.KEY_CONVERTER) from exc
    if not entity_key:
        raise DeadLetterError(
            f"record has no key (the {kind.key_columns[0]} of its entity)",
            stage=ErrorStage.KEY_CONVERTER,
        )
    schema = headers.get(SCHEMA_HEADER)
    if schema is not None and schema != kind.record.encode():
        reason = f"header {SCHEMA_HEADER} names {schema!r}, expected {kind.record}"
        raise DeadLetterError(reason, stage=ErrorStage.VALUE_CONVERTER)
    try:
        change: ChangeEvent = kind.model.from_avro(codec.decode(value))
    except (SchemaError, ValidationError) as exc:
        raise DeadLetterError(str(exc), stage=ErrorStage.VALUE_CONVERTER) from exc
    if (problem := kind.contract(change, entity_key)) is not None:
        raise DeadLetterError(problem, stage=ErrorStage.TRANSFORMATION)
    return change


def exception_class_name(exc: BaseException) -> str:
    cls = type(exc)
    return f"{cls.__module__}.{cls.__qualname__}"
