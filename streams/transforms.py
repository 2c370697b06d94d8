"""Pure steps of the centre's streams: Kafka record in, change or tombstone or dead letter out.

No I/O here: the agent calls these and does the writing.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from pydantic import ValidationError

from connectors.headers import EVENT_ID_HEADER, SIGNATURE_HEADER, SIGNATURE_KEY_HEADER
from lienthong.codec import SCHEMA_HEADER, RecordDecoder
from lienthong.errors import DeadLetterError, SchemaError
from lienthong.events import ChangeEvent
from lienthong.ids import TopicName
from lienthong.privacy import describe_problems, redact_text
from lienthong.trust import (
    SIGNATURE_STAGE,
    KeyRing,
    SignedRecord,
    UnknownKeyError,
    UntrustedEventError,
    check_event,
)
from streams.centre.kinds import EntityKind

__all__ = [
    "DeadLetter",
    "ErrorStage",
    "Headers",
    "Tombstone",
    "dead_letter_headers",
    "decode_record",
    "exception_class_name",
    "header_event_id",
    "signed_record",
    "unknown_key",
    "verified",
]

Headers = list[tuple[str, bytes]]

_CONNECT_PREFIX: Final = "__connect.errors."


class ErrorStage(StrEnum):
    """Where a record failed, in Kafka Connect's vocabulary (`__connect.errors.stage`)."""

    KEY_CONVERTER = "KEY_CONVERTER"
    VALUE_CONVERTER = "VALUE_CONVERTER"
    TRANSFORMATION = "TRANSFORMATION"
    SIGNATURE = SIGNATURE_STAGE
    """The bus's own: the event is not signed by a live key of its agency (lienthong.trust)."""


@dataclass(frozen=True)
class Tombstone:
    """A null value after a DELETE, kept for log compaction; the DELETE already did the work."""

    key: bytes | None


@dataclass(frozen=True)
class DeadLetter:
    stage: ErrorStage
    exception_class: str
    message: str
    event_id: str | None = None
    """The event's id when the record says it: decoded, or the connector's header."""
    correlation_id: str | None = None


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
    found = dict(headers or {})
    try:
        entity_key, change = _decode(key, value, found, codec, kind)
        problem = kind.contract(change, entity_key)
    except DeadLetterError as exc:
        cause = exc.__cause__ or exc
        stage = ErrorStage(exc.stage)
        return DeadLetter(stage, exception_class_name(cause), exc.reason, header_event_id(found))
    except Exception as exc:  # a record no check foresaw: it alone goes, the stream goes on
        stage, name = ErrorStage.VALUE_CONVERTER, exception_class_name(exc)
        return DeadLetter(stage, name, repr(exc), header_event_id(found))
    if problem is None:
        return change
    envelope = change.envelope
    return DeadLetter(
        ErrorStage.TRANSFORMATION,
        exception_class_name(DeadLetterError),
        problem,
        event_id=str(envelope.event_id),
        correlation_id=envelope.correlation_id,
    )


def signed_record(
    topic: str,
    key: bytes | None,
    value: bytes,
    headers: Iterable[tuple[str, bytes]] | Mapping[str, bytes] | None,
) -> SignedRecord:
    found = dict(headers or {})
    key_id = found.get(SIGNATURE_KEY_HEADER)
    return SignedRecord(
        topic,
        key,
        value,
        signature=found.get(SIGNATURE_HEADER),
        header_key_id=None if key_id is None else key_id.decode("utf-8", errors="replace"),
    )


def verified(
    change: ChangeEvent,
    record: SignedRecord,
    ring: KeyRing,
    *,
    now: datetime,
    require_signatures: bool,
) -> ChangeEvent | DeadLetter:
    """The change when its record is signed by a live key of its agency (or unsigned where
    signatures are not required); otherwise the dead letter saying why."""
    try:
        check_event(ring, record, change.envelope, now=now, require_signatures=require_signatures)
    except UntrustedEventError as exc:
        envelope = change.envelope
        return DeadLetter(
            ErrorStage.SIGNATURE,
            exception_class_name(exc),
            exc.reason,
            event_id=str(envelope.event_id),
            correlation_id=envelope.correlation_id,
        )
    return change


def unknown_key(outcome: ChangeEvent | DeadLetter) -> bool:
    """True for a dead letter whose key is not in the registry (yet)."""
    return isinstance(outcome, DeadLetter) and outcome.exception_class == exception_class_name(
        UnknownKeyError
    )


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
        "exception.message": redact_text(letter.message),
    }
    return kept + [(_CONNECT_PREFIX + name, text.encode()) for name, text in errors.items()]


def _decode(
    key: bytes | None,
    value: bytes,
    headers: Mapping[str, bytes],
    codec: RecordDecoder,
    kind: EntityKind[Any],
) -> tuple[str, ChangeEvent]:
    """The record's entity key and change, not yet checked against the kind's contract."""
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
    except ValidationError as exc:  # pydantic's own text quotes the input: a citizen id
        raise DeadLetterError(describe_problems(exc), stage=ErrorStage.VALUE_CONVERTER) from exc
    except SchemaError as exc:
        raise DeadLetterError(str(exc), stage=ErrorStage.VALUE_CONVERTER) from exc
    return entity_key, change


def header_event_id(
    headers: Iterable[tuple[str, bytes]] | Mapping[str, bytes] | None,
) -> str | None:
    """The id the connector put in a header, for a record whose value could not be read."""
    value = dict(headers or {}).get(EVENT_ID_HEADER)
    return None if value is None else value.decode("utf-8", errors="replace")


def exception_class_name(exc: BaseException | type[BaseException]) -> str:
    cls = exc if isinstance(exc, type) else type(exc)
    return f"{cls.__module__}.{cls.__qualname__}"
