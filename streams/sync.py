"""The centre's agent: one stream over the topics of every kind of entity (dossiers, land
parcels, e-documents, their statuses); decode each record, dead-letter the bad ones, keep
the centre in sync. All kinds share one batch and one store transaction.

Batches come from `take_events()`, which acks a batch's events when the loop body for that
batch ends, however it ends: if the body raises, faust restarts the agent on the next
batch and commits past the failed one. So no failure may escape the body: a bad record is
dead-lettered, anything else is retried until it succeeds (the stream stalls, loudly, and
skips nothing). Only cancellation (worker stopping, partitions revoked) leaves early, with
nothing written; the next start resumes from the centre's own offsets (streams.resume),
not from what faust acked.

Every event must be signed by a live key of its agency (lienthong.trust): before a batch is
decoded the key registry is read to its end, so a key revoked before the batch was read
verifies none of it; a key not found is looked up once more after another read to the end
(it may have been registered a moment ago) before its event is dead-lettered.

A committed batch is counted in the worker's metrics (streams.metrics). The log lines about
one record (its dead letter, the retries sending it) carry its event and correlation ids;
at DEBUG, so does one line per applied event.
"""

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

import structlog
from structlog.contextvars import bound_contextvars

from lienthong.errors import SchemaError
from lienthong.events import ChangeEvent
from lienthong.ids import TopicName
from lienthong.serde import AvroDeserializer, RegistryClient, SchemaNotFoundError, repo_schema
from lienthong.settings import Settings
from lienthong.trust.key_topic import KeyRegistryReader
from streams.centre import CENTRE_KINDS, CentreSink, EntityKind
from streams.group_offsets import commit_group_offsets
from streams.metrics import BatchTally, WorkerMetrics
from streams.retry import retry_until_done
from streams.transforms import (
    DeadLetter,
    ErrorStage,
    Tombstone,
    dead_letter_headers,
    decode_record,
    exception_class_name,
    header_event_id,
    signed_record,
    unknown_key,
    verified,
)

__all__ = ["AGENT_NAME", "add_centre_agent"]

AGENT_NAME = "sync-centre"

_UNKNOWN_ID_RETRY_S = (0.5, 1.0, 2.0, 4.0, 8.0)
"""How long an unknown writer schema id is asked for again before the value is dead-lettered."""

Decoded = ChangeEvent | Tombstone | DeadLetter

log = structlog.get_logger(__name__)


def add_centre_agent(
    app: Any,
    settings: Settings,
    sink: CentreSink,
    registry: RegistryClient,
    metrics: WorkerMetrics,
) -> Any:
    """Register the agent on `app` (a faust.App) and return it."""
    topics = settings.topics
    readers: dict[str, tuple[EntityKind[Any], AvroDeserializer]] = {
        kind.topic(topics): (kind, AvroDeserializer(registry, reader=repo_schema(kind.record)))
        for kind in CENTRE_KINDS
    }
    source = app.topic(
        *readers,
        key_serializer="raw",
        value_serializer="raw",
        partitions=topics.partitions,
    )
    dead_letter_topics = {
        topic: app.topic(
            topics.dead_letter(TopicName(topic)), key_serializer="raw", value_serializer="raw"
        )
        for topic in readers
    }
    group = settings.streams.app_id
    keys = KeyRegistryReader(settings)
    require_signatures = settings.trust.require_signatures

    async def send_dead_letter(message: Any, letter: DeadLetter) -> None:
        headers = dead_letter_headers(
            letter,
            message.headers,
            topic=TopicName(message.topic),
            partition=message.partition,
            offset=message.offset,
            consumer_group=group,
        )
        dead_letters = dead_letter_topics[message.topic]
        sent = await dead_letters.send(key=message.key, value=message.value, headers=headers)
        await sent  # on the dead-letter topic before the offset may move past it

    async def decode_batch(events: list[Any]) -> list[tuple[Any, Decoded]]:
        """Decode every record first: a registry outage raises here, before any side effect,
        so retrying the batch never sends a dead letter twice."""
        await keys.catch_up()
        decoded: list[tuple[Any, Decoded]] = []
        for event in events:
            message = event.message
            kind, deserializer = readers[message.topic]
            unknown_writer = await _resolve_writer(deserializer, message.value, message.headers)
            outcome = unknown_writer or decode_record(
                message.key, message.value, message.headers, deserializer, kind
            )
            if isinstance(outcome, ChangeEvent):
                outcome = await trusted(message, outcome)
            decoded.append((message, outcome))
        return decoded

    async def trusted(message: Any, change: ChangeEvent) -> ChangeEvent | DeadLetter:
        record = signed_record(message.topic, message.key, message.value, message.headers)
        check = partial(verified, change, record, require_signatures=require_signatures)
        outcome = check(keys.ring, now=datetime.now(UTC))
        if unknown_key(outcome):
            await keys.catch_up()
            outcome = check(keys.ring, now=datetime.now(UTC))
        return outcome

    async def dead_letter(message: Any, letter: DeadLetter) -> None:
        # Bound, not passed: the retry lines about this one record carry its ids too.
        with bound_contextvars(
            event_id=letter.event_id,
            correlation_id=letter.correlation_id,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
        ):
            what = "sending a record to the dead-letter topic"
            await retry_until_done(partial(send_dead_letter, message, letter), what=what)
            log.warning("record dead-lettered", stage=letter.stage.value, reason=letter.message)
        metrics.dead_letters.labels(message.topic).inc()

    async def take_in(message: Any, decoded: Decoded, tally: BatchTally) -> None:
        topic, partition, offset = message.topic, message.partition, message.offset
        if isinstance(decoded, ChangeEvent):
            sink.add(decoded, TopicName(topic), partition, offset)
            tally.change(topic, partition, offset, decoded.envelope.occurred_at)
            return
        if isinstance(decoded, DeadLetter):
            await dead_letter(message, decoded)
        sink.advance(TopicName(topic), partition, offset)
        tally.passed(topic, partition, offset)

    async def take_in_batch(events: list[Any]) -> tuple[list[tuple[Any, Decoded]], BatchTally]:
        sink.discard()
        decoded = await retry_until_done(partial(decode_batch, events), what="reading a batch")
        tally = BatchTally()
        for message, outcome in decoded:
            await take_in(message, outcome, tally)
        return decoded, tally

    async def flush() -> int:
        try:
            return await sink.flush()
        except Exception:
            metrics.store_failures.inc()
            raise

    async def sync_centre(stream: Any) -> None:
        batches = stream.take_events(settings.streams.batch_size, settings.streams.batch_within_s)
        try:
            await retry_until_done(keys.catch_up, what="reading the key registry")
            log.info("key registry read", keys=len(keys.ring.records()))
            async for events in batches:
                await apply_batch(events)
        finally:
            await keys.close()

    async def apply_batch(events: list[Any]) -> None:
        started = time.perf_counter()
        try:
            decoded, tally = await take_in_batch(events)
            # The retry lines say which records wait: the batch's last offset per partition.
            with bound_contextvars(last_offsets=_partition_offsets(tally)):
                what = "writing a batch to the centre"
                written = await retry_until_done(flush, what=what)
        except BaseException:
            sink.discard()  # not committed: these records will be read again
            raise
        metrics.committed(tally, time.perf_counter() - started)
        applied = {at: offset + 1 for at, offset in tally.last_offsets.items()}
        await commit_group_offsets(app.consumer, applied)
        _log_applied(decoded, written)

    agent = app.agent(source, name=AGENT_NAME, concurrency=1)(sync_centre)
    return agent


def _partition_offsets(tally: BatchTally) -> dict[str, int]:
    return {f"{topic}[{partition}]": o for (topic, partition), o in tally.last_offsets.items()}


def _log_applied(decoded: Sequence[tuple[Any, Decoded]], written: int) -> None:
    """One DEBUG line per applied event; nothing is built when DEBUG is off."""
    if not log.is_enabled_for(logging.DEBUG):
        return
    for message, outcome in decoded:
        if isinstance(outcome, ChangeEvent):
            envelope = outcome.envelope
            log.debug(
                "event applied",
                event_id=str(envelope.event_id),
                correlation_id=envelope.correlation_id,
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
            )
    log.debug("batch written to the centre", records=written)


async def _resolve_writer(
    deserializer: AvroDeserializer, value: bytes | None, headers: Any = None
) -> DeadLetter | None:
    """Fetch the writer's schema once per schema id. A registry that does not answer raises,
    so the batch is retried, not skipped. An id the registry does not know yet is asked for
    again for a while (another registry instance may not have read it yet) before the value
    is a dead letter, as is any value with no usable writer schema."""
    if value is None:
        return None
    delays = iter(_UNKNOWN_ID_RETRY_S)
    while True:
        try:
            await deserializer.resolve(value)
            return None
        except SchemaNotFoundError as exc:
            delay = next(delays, None)
            if delay is None:
                return _dead_letter(exc, headers)
            log.warning("writer schema not found yet; asking again", error=str(exc))
            await asyncio.sleep(delay)
        except SchemaError as exc:
            return _dead_letter(exc, headers)


def _dead_letter(exc: Exception, headers: Any) -> DeadLetter:
    stage, name = ErrorStage.VALUE_CONVERTER, exception_class_name(exc)
    return DeadLetter(stage, name, str(exc), event_id=header_event_id(headers))
