"""What a benchmark really left on a topic, counted by reading it back."""

import time
from typing import Final

from lienthong.bench.topics import start_reading
from lienthong.errors import FatalError
from lienthong.ids import TopicName
from lienthong.settings import Settings

__all__ = ["count_events"]

_STALL_S: Final = 30.0


async def count_events(settings: Settings, topic: TopicName) -> int:
    """Committed records with a value on `topic` (tombstones and aborted records left out),
    reading every partition to its end."""
    consumer = await start_reading(settings, topic, settings.topics.partitions)
    events = 0
    try:
        ends = await consumer.end_offsets(list(consumer.assignment()))
        progressed = time.monotonic()
        while any([await consumer.position(tp) < end for tp, end in ends.items()]):
            polled = await consumer.getmany(timeout_ms=500)
            for records in polled.values():
                progressed = time.monotonic()
                events += sum(1 for record in records if record.value is not None)
            if time.monotonic() - progressed > _STALL_S:
                raise FatalError(f"{topic} could not be read to its end in {_STALL_S:.0f} s")
    finally:
        await consumer.stop()
    return events
