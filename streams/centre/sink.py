"""The centre as a sink: `add()` records as they come, `flush()` is the commit point.

Delivery guarantee: effectively once. A flush writes the batch's rows and the partitions'
next offsets in one transaction; the consumer resumes from those offsets, and re-applying
a change is harmless (versions only move forward, and the history keeps one row per
event_id), so a record is either in the centre with its offset or will be read again.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import ParamSpec, TypeVar

from sqlalchemy import Engine

from lienthong.events import ChangeEvent
from lienthong.ids import TopicName
from streams.centre.batch import CentreBatch
from streams.centre.reads import read_offsets
from streams.centre.scores import refresh_overdue
from streams.centre.store import write_batch

__all__ = ["CentreSink"]

P = ParamSpec("P")
R = TypeVar("R")


class CentreSink:
    """Buffers one batch for one consumer group; the database work runs on one worker thread."""

    def __init__(self, engine: Engine, consumer_group: str) -> None:
        self.engine = engine
        self.consumer_group = consumer_group
        self._batch = CentreBatch()
        # One thread: writes never interleave, and SQLite sees one writer per process.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="centre-sink")

    @property
    def pending(self) -> int:
        """Kafka records added since the last successful flush."""
        return self._batch.records

    def add(self, change: ChangeEvent, topic: TopicName, partition: int, offset: int) -> None:
        self._batch.add(change, topic, partition, offset)

    def advance(self, topic: TopicName, partition: int, offset: int) -> None:
        """Count a record that leaves no row (a tombstone, a dead letter) as read."""
        self._batch.advance(topic, partition, offset)

    def discard(self) -> None:
        """Forget the batch: its records were not committed and will be read again."""
        self._batch = CentreBatch()

    async def flush(self) -> int:
        """Write the batch and its offsets in one transaction; return the records it covered.

        On failure the batch stays pending, untouched, so calling `flush()` again retries it.
        """
        batch = self._batch
        if not batch.records:
            return 0
        await self._run(write_batch, self.engine, self.consumer_group, batch)
        if self._batch is batch:
            self._batch = CentreBatch()
        return batch.records

    async def refresh_overdue(self, now: datetime) -> int:
        """Recount the dossiers overdue at `now` (streams.centre.scores); return how many."""
        return await self._run(refresh_overdue, self.engine, now)

    async def stored_offsets(self, topic: TopicName) -> dict[int, int]:
        """Per partition, the next offset the centre has not yet applied."""
        return await self._run(read_offsets, self.engine, self.consumer_group, topic)

    def close(self) -> None:
        """Wait for a write in progress to end, then release the thread and the connections."""
        self._executor.shutdown(wait=True)
        self.engine.dispose()

    async def _run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(fn, *args, **kwargs))
