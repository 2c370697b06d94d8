"""When did the events a consumer group last got past happen? Read them back, decode them.

The record at committed-1 may be a transaction marker, which a consumer never sees, a
tombstone or a value that went to the dead-letter topic: a few offsets back are read and the
newest change event before the committed offset is the answer.
"""

import asyncio
import time
from datetime import UTC, datetime
from typing import Any, Final

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition

from lienthong.errors import LienthongError, RetriableError
from lienthong.ids import TopicName
from lienthong.serde import AvroDeserializer, RegistryClient

__all__ = ["LOOK_BACK", "newest_occurred_at", "occurred_at_of", "read_values_before"]

LOOK_BACK: Final = 3
"""Offsets read before the committed one: the last record plus room for markers."""

DECODE_TIMEOUT_S: Final = 5.0
"""A registry that does not answer within it is taken as down for the rest of the read."""

log = structlog.get_logger(__name__)


def occurred_at_of(record: dict[str, Any]) -> datetime | None:
    """The envelope's occurred_at of a decoded change event, None when it has none."""
    envelope = record.get("envelope")
    if not isinstance(envelope, dict):
        return None
    occurred = envelope.get("occurred_at")
    if not isinstance(occurred, datetime):
        return None
    return occurred if occurred.tzinfo is not None else occurred.replace(tzinfo=UTC)


async def read_values_before(
    consumer: AIOKafkaConsumer,
    wanted: dict[tuple[TopicName, int], tuple[int, int]],
    *,
    within_s: float,
) -> dict[tuple[TopicName, int], list[bytes]]:
    """(topic, partition) -> the values of the last few records before the committed offset,
    oldest first, tombstones left out.

    `wanted` maps each partition to (begin offset, committed offset), committed at most the
    end offset. Reading stops at `within_s`, with what it has.
    """
    tps = {
        TopicPartition(topic, partition): committed
        for (topic, partition), (_, committed) in wanted.items()
    }
    if not tps:
        return {}
    consumer.assign(list(tps))
    for tp, committed in tps.items():
        begin = wanted[(TopicName(tp.topic), tp.partition)][0]
        consumer.seek(tp, max(begin, committed - LOOK_BACK))
    values: dict[TopicPartition, list[bytes]] = {tp: [] for tp in tps}
    deadline = time.monotonic() + within_s
    pending = set(tps)
    while pending and time.monotonic() < deadline:
        batches = await consumer.getmany(*pending, timeout_ms=200)
        for tp, records in batches.items():
            for record in records:
                if record.offset < tps[tp] and record.value is not None:
                    values[tp].append(record.value)
        pending = {tp for tp in pending if await consumer.position(tp) < tps[tp]}
    return {(TopicName(tp.topic), tp.partition): read for tp, read in values.items()}


async def newest_occurred_at(
    registry: RegistryClient, values: dict[tuple[TopicName, int], list[bytes]]
) -> dict[tuple[TopicName, int], datetime]:
    """Per partition, occurred_at of the newest value that is a change event; partitions
    with none (tombstones, dead-lettered garbage) are left out."""
    found: dict[tuple[TopicName, int], datetime] = {}
    deserializer = AvroDeserializer(registry)
    try:
        for place, read in values.items():
            occurred = await _newest_occurred_at(deserializer, read)
            if occurred is not None:
                found[place] = occurred
    except (RetriableError, TimeoutError) as exc:
        # The registry is down: every other partition would wait for it too.
        log.info("observe.last_event.registry_unavailable", reason=str(exc))
    return found


async def _newest_occurred_at(
    deserializer: AvroDeserializer, values: list[bytes]
) -> datetime | None:
    """occurred_at of the newest value that is a change event (tombstones and dead-lettered
    garbage have none)."""
    for value in reversed(values):
        occurred = await _occurred_at(deserializer, value)
        if occurred is not None:
            return occurred
    return None


async def _occurred_at(deserializer: AvroDeserializer, value: bytes) -> datetime | None:
    """The value's occurred_at; None when it is not a decodable change event."""
    try:
        record = await asyncio.wait_for(deserializer.decode_async(value), DECODE_TIMEOUT_S)
    except RetriableError:
        raise
    except LienthongError as exc:
        log.debug("observe.last_event.undecodable", reason=str(exc))
        return None
    return occurred_at_of(record)
