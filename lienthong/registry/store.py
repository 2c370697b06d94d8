"""The schemas topic as the registry's store: reads from memory, writes by one protocol.

Every write, in every instance sharing the topic:

1. open the writer: InitProducerId on the shared transactional id, unless this instance still
   holds it. Opening fences every other instance (their open transaction is aborted, their
   later ones refused), and returns only once earlier transactions are complete;
2. catch up: read the topic (read_committed) to its current end;
3. decide from that state, purely (`lienthong.registry.writes`); a refusal writes nothing;
4. write the decision's records in one transaction and commit;
5. read up to them, so this instance's next answer includes its own write.

A commit succeeds only if no instance opened the id after step 1, so no committed write is
missing from the state the decision saw: two instances never hand out the same id. A fenced
writer re-opens and goes again from step 2, where it finds the other instance's write.
"""

import asyncio
import random
from collections.abc import Callable
from typing import Final, TypeVar

import structlog

from lienthong.registry.errors import RegistryStoreError, RegistryTimeoutError
from lienthong.registry.reader import SchemaLogReader
from lienthong.registry.state import RegistryState
from lienthong.registry.writer import SchemaLogWriter
from lienthong.registry.writes import Decision
from lienthong.settings import Settings
from lienthong.topics import TopicSpec, ensure_topics

__all__ = ["SchemaStore", "schemas_topic"]

T = TypeVar("T")

log = structlog.get_logger(__name__)

_BACKOFF_S: Final = 0.05
_BACKOFF_MAX_S: Final = 1.0


def schemas_topic(settings: Settings) -> TopicSpec:
    """One partition (the order of writes is the truth), compacted, as Confluent requires."""
    return TopicSpec(
        settings.registry.topic,
        1,
        settings.topics.replication_factor,
        {"cleanup.policy": "compact"},
    )


class SchemaStore:
    def __init__(self, settings: Settings) -> None:
        self.state = RegistryState()
        self._settings = settings
        self._reader = SchemaLogReader(settings, self.state)
        self._writer = SchemaLogWriter(settings)
        self._lock = asyncio.Lock()
        self._ready = False

    @property
    def ready(self) -> bool:
        """True once the topic was read to the end it had when loading began, and while the
        reader keeps following it."""
        return self._ready and not self._reader.failed

    @property
    def failure(self) -> str | None:
        """Why the store stopped following the topic, if it did: it will never be ready again."""
        return self._reader.failure

    async def until_failed(self) -> str:
        """Wait for the store to stop following the topic, and return why."""
        return await self._reader.until_failed()

    async def start(self) -> None:
        """Create the topic if missing and start reading it from the beginning."""
        await ensure_topics(self._settings, [schemas_topic(self._settings)])
        await self._reader.start()

    async def load(self, timeout_s: float) -> None:
        await self._reader.catch_up(timeout_s)
        self._ready = True

    async def stop(self) -> None:
        async with self._lock:
            await self._writer.close()
        await self._reader.stop()

    async def write(self, decide: Callable[[RegistryState], Decision[T]]) -> T:
        """Run the write protocol for one request; `decide` may run more than once."""
        # A client hanging up must not cut a transaction in half.
        return await asyncio.shield(self._write(decide))

    async def _write(self, decide: Callable[[RegistryState], Decision[T]]) -> T:
        loop = asyncio.get_running_loop()
        budget = self._settings.registry.request_timeout_s
        deadline = loop.time() + budget
        try:
            async with asyncio.timeout(budget):
                await self._lock.acquire()
        except TimeoutError:
            raise RegistryTimeoutError(f"no write slot within {budget}s") from None
        try:
            attempt = 0
            while True:
                try:
                    return await self._attempt(decide, deadline)
                except RegistryStoreError as exc:
                    attempt += 1
                    delay = min(_BACKOFF_MAX_S, _BACKOFF_S * 2**attempt) * random.uniform(0.5, 1.5)
                    if loop.time() + delay >= deadline:
                        raise
                    log.info("registry write retried", attempt=attempt, reason=str(exc))
                    await asyncio.sleep(delay)
        finally:
            self._lock.release()

    async def _attempt(self, decide: Callable[[RegistryState], Decision[T]], deadline: float) -> T:
        loop = asyncio.get_running_loop()
        await self._writer.open()
        await self._reader.catch_up(max(deadline - loop.time(), 0.0))
        decision = decide(self.state)
        if not decision.records:
            return decision.result
        offset = await self._writer.publish(decision.records)
        await self._reader.reach(offset + 1, max(deadline - loop.time(), 0.0))
        return decision.result
