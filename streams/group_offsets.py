"""After each batch the centre committed, the consumer group's offsets in Kafka move there too.

The centre's own offsets (committed with its rows) are where a worker resumes; Kafka's copy
is what operators and their tools read (`lienthong lag`, `kafka-consumer-groups`, the lag
alert). faust commits the offsets of acknowledged events on its own clock, and under a steady
flow of transactional records its count of contiguous acknowledgements falls ever further
behind, so Kafka's view of the lag grew while the centre kept up. Committing the centre's
offsets after each flush keeps the two equal; marking them as faust's committed offsets keeps
faust from committing older ones over them.
"""

from collections.abc import Mapping
from typing import Any

import structlog
from faust.types import TP

__all__ = ["commit_group_offsets"]

log = structlog.get_logger(__name__)


async def commit_group_offsets(consumer: Any, next_offsets: Mapping[tuple[str, int], int]) -> None:
    """Commit `next_offsets` (the next offset to read per topic and partition) for the group.

    A failed commit is only logged: the centre's offsets stay the authority, and the next
    batch commits again.
    """
    offsets = {TP(topic, partition): offset for (topic, partition), offset in next_offsets.items()}
    if not offsets:
        return
    try:
        # faust has no public call to commit chosen offsets; `_commit` is the one its own
        # commits end in (streams.resume uses it too), limited to the partitions assigned now.
        committed = await consumer._commit(offsets)
    except Exception as exc:  # the group may be rebalancing; the next batch tries again
        log.warning("group offsets not committed to Kafka", error=str(exc))
        return
    if committed:
        consumer._committed_offset.update(offsets)
