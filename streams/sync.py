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
"""

import asyncio
from functools import partial
from typing import Any

import structlog

from lienthong.errors import SchemaError
from lienthong.events import ChangeEvent
from lienthong.ids import TopicName
from lienthong.serde import AvroDeserializer, RegistryClient, SchemaNotFoundError, repo_schema
from lienthong.settings import Settings
from streams.centre import CENTRE_KINDS, CentreSink, EntityKind
from streams.retry import retry_until_done
from streams.transforms import (
    DeadLetter,
    ErrorStage,
    Tombstone,
    dead_letter_headers,
    decode_record,
    exception_class_name,
)

__all__ = ["AGENT_NAME", "add_centre_agent"]

AGENT_NAME = "sync-centre"

_UNKNOWN_ID_RETRY_S = (0.5, 1.0, 2.0, 4.0, 8.0)
"""How long an unknown writer schema id is asked for again before the value is dead-lettered."""

Decoded = ChangeEvent | Tombstone | DeadLetter

log = structlog.get_logger(__name__)


def add_centre_agent(
    app: Any, settings: Settings, sink: CentreSink, registry: RegistryClient
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
        decoded = []
        for event in events:
            message = event.message
            kind, deserializer = readers[message.topic]
            unknown_writer = await _resolve_writer(deserializer, message.value)
            outcome = unknown_writer or decode_record(
                message.key, message.value, message.headers, deserializer, kind
            )
            decoded.append((message, outcome))
        return decoded

    async def take_in(message: Any, decoded: Decoded) -> None:
        position = (TopicName(message.topic), message.partition, message.offset)
        if isinstance(decoded, Tombstone):
            sink.advance(*position)
        elif isinstance(decoded, DeadLetter):
            what = "sending a record to the dead-letter topic"
            await retry_until_done(partial(send_dead_letter, message, decoded), what=what)
            sink.advance(*position)
            log.warning(
                "record dead-lettered",
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
                stage=decoded.stage.value,
                reason=decoded.message,
            )
        else:
            sink.add(decoded, *position)

    async def take_in_batch(events: list[Any]) -> None:
        sink.discard()
        decoded = await retry_until_done(partial(decode_batch, events), what="reading a batch")
        for message, outcome in decoded:
            await take_in(message, outcome)

    async def sync_centre(stream: Any) -> None:
        batches = stream.take_events(settings.streams.batch_size, settings.streams.batch_within_s)
        async for events in batches:
            try:
                await take_in_batch(events)
                written = await retry_until_done(sink.flush, what="writing a batch to the centre")
            except BaseException:
                sink.discard()  # not committed: these records will be read again
                raise
            log.debug("batch written to the centre", records=written)

    agent = app.agent(source, name=AGENT_NAME, concurrency=1)(sync_centre)
    return agent


async def _resolve_writer(deserializer: AvroDeserializer, value: bytes | None) -> DeadLetter | None:
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
                return _dead_letter(exc)
            log.warning("writer schema not found yet; asking again", error=str(exc))
            await asyncio.sleep(delay)
        except SchemaError as exc:
            return _dead_letter(exc)


def _dead_letter(exc: Exception) -> DeadLetter:
    return DeadLetter(ErrorStage.VALUE_CONVERTER, exception_class_name(exc), str(exc))
