"""Start every assigned partition where the centre's store says, not where Kafka says.

The store commits its offsets with the rows, so it is the authority on what the centre
holds. faust seeks each assigned partition to the group's committed offset right after
sending `on_rebalance_complete`; committing (and seeking to) the store's offsets in that
signal makes reading resume exactly after the last record the centre applied. A partition
the store never saw starts from the earliest offset Kafka still has (a fresh or wiped
centre replays).
"""

from collections.abc import Sequence
from functools import partial
from typing import Any

import structlog

from lienthong.ids import TopicName
from streams.centre import CentreSink
from streams.retry import retry_until_done

__all__ = ["resume_from_centre"]

log = structlog.get_logger(__name__)


def resume_from_centre(app: Any, sink: CentreSink, topics: Sequence[TopicName]) -> None:
    """Connect the handler to `app.on_rebalance_complete` (app: a faust.App)."""

    async def commit_centre_offsets(sender: Any, **_: Any) -> None:
        consumer = app.consumer
        assigned = sorted(tp for tp in consumer.assignment() if tp.topic in topics)
        if not assigned:
            return
        what = "reading the centre's offsets"
        stored: dict[tuple[str, int], int] = {}
        for topic in sorted({tp.topic for tp in assigned}):
            read = await retry_until_done(partial(sink.stored_offsets, topic), what=what)
            stored.update(((topic, partition), offset) for partition, offset in read.items())
        missing = [tp for tp in assigned if (tp.topic, tp.partition) not in stored]
        earliest = await consumer.earliest_offsets(*missing) if missing else {}
        offsets = {
            tp: stored[tp.topic, tp.partition]
            if (tp.topic, tp.partition) in stored
            else earliest[tp]
            for tp in assigned
        }
        # faust has no public call to commit chosen offsets; `_commit` is the one
        # `Consumer.commit` ends in, limited to the partitions assigned now.
        await consumer._commit(offsets)
        # aiokafka's seek_to_committed skips partitions whose committed offset is 0, so a
        # rewind to the start needs its own seek.
        for tp, offset in offsets.items():
            await consumer.seek(tp, offset)
        log.info(
            "resuming from the centre's offsets",
            next_offsets={f"{tp.topic}[{tp.partition}]": offset for tp, offset in offsets.items()},
            from_store=len(stored),
        )

    app.on_rebalance_complete.connect(commit_centre_offsets, weak=False)
