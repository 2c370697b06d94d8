"""How many records a read_committed consumer at a given position still has to read.

Offsets overcount on a topic written in transactions: every commit (or abort) leaves a
marker that takes an offset and is never delivered, and aborted records are never delivered
either. So the range from the position to the end is read and its records counted.

aiokafka 0.14 moves a consumer's position past markers and aborted batches as it fetches
them, even when they hold nothing to return: reading stops as soon as the position reaches
the end (the last stable offset, what read_committed can reach), without waiting for
records that will never come.
"""

import time
from collections.abc import Mapping
from typing import Final

from aiokafka import AIOKafkaConsumer, TopicPartition

from lienthong.ids import TopicName

__all__ = ["READ_CAP", "Place", "count_unread"]

READ_CAP: Final = 2_000
"""A longer range is not read: its offsets are reported as they are (markers included)."""

POLL_MS: Final = 100
"""One fetch round; a range of markers only is done after the first."""

Place = tuple[TopicName, int]


async def count_unread(
    consumer: AIOKafkaConsumer,
    positions: Mapping[Place, int],
    *,
    within_s: float,
    cap: int = READ_CAP,
) -> dict[Place, int]:
    """(topic, partition) -> records from the position to the end, for a consumer whose
    isolation level is read_committed.

    A position before the partition's first offset counts from there. A range longer than
    `cap` offsets, or one not read within `within_s`, counts its unread offsets as records:
    the answer may then be too high, never too low.
    """
    tps = {TopicPartition(topic, partition): at for (topic, partition), at in positions.items()}
    if not tps:
        return {}
    consumer.assign(list(tps))
    consumer.pause(*tps)  # nothing is fetched before each partition is placed
    begins = await consumer.beginning_offsets(list(tps))
    ends = await consumer.end_offsets(list(tps))
    starts = {tp: max(offset, begins[tp]) for tp, offset in tps.items()}
    reading = {tp for tp in tps if 0 < ends[tp] - starts[tp] <= cap}
    counted = dict.fromkeys(reading, 0)
    reached = dict(starts)
    for tp in reading:
        consumer.seek(tp, starts[tp])
    consumer.resume(*reading)
    deadline = time.monotonic() + within_s
    while reading and time.monotonic() < deadline:
        batches = await consumer.getmany(*reading, timeout_ms=POLL_MS)
        for tp, records in batches.items():
            counted[tp] += sum(1 for record in records if record.offset < ends[tp])
        for tp in list(reading):
            reached[tp] = await consumer.position(tp)
            if reached[tp] >= ends[tp]:
                reading.discard(tp)
    consumer.pause(*tps)  # no fetching in the background until the next count
    return {
        (TopicName(tp.topic), tp.partition): counted.get(tp, 0) + max(ends[tp] - reached[tp], 0)
        for tp in tps
    }
