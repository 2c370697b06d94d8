"""The one-stop-shop outbox connector: committed outbox rows become `DossierChange` events.

Delivery guarantee: exactly once, for consumers reading with `isolation_level=read_committed`.
Each batch (its events, tombstones and dead letters) and the connector's new position (on the
compacted offsets topic) are written in one Kafka transaction: they become visible together
or not at all. A restarted connector first fences its predecessor (same transactional id),
which aborts whatever transaction it left open, then resumes after the last committed
position; a re-sent row keeps its event id. `read_uncommitted` consumers may also see the
records of aborted transactions, so for them the guarantee is at least once.

Order: events of one dossier share a key, so they keep outbox order in their partition.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from connectors.motcua.mapping import SourceIdentity
from connectors.motcua.outbox_batch import OutboxBatch, build_batch, position_from_value
from connectors.motcua.outbox_reader import OutboxReader
from connectors.motcua.records import RecordTargets
from connectors.motcua.source_db import create_source_engine, ensure_source_schema, newest_outbox_id
from connectors.offsets import delete_committed_value, read_committed_value
from connectors.publisher import TransactionalPublisher
from connectors.registration import prepared_serializer
from connectors.stats import ConnectorStats
from connectors.waiting import sleep_unless
from lienthong.errors import ConfigurationError, RetriableError
from lienthong.events import AdminCodeList
from lienthong.serde import RegistryClient
from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics
from schemas import DOSSIER_CHANGE

__all__ = ["ConnectorStats", "OutboxConnector"]

log = structlog.get_logger(__name__)

_MAX_BACKOFF_S = 30.0


class OutboxConnector:
    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine | None = None,
        code_list: AdminCodeList = AdminCodeList.VN2025,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._clock = clock
        self.name = settings.connector.name
        self.transactional_id = f"lienthong-connect-{self.name}"
        self._source = SourceIdentity(
            settings.source.agency_id, settings.source.system_id, code_list
        )
        self.stats = ConnectorStats()

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Publish until `stop` is set (the current batch completes) or the task is cancelled
        (the current transaction is aborted). Retries while Kafka or the database are down."""
        stop = stop or asyncio.Event()
        engine = self._engine or create_source_engine(self._settings)
        registry = RegistryClient.from_settings(self._settings.registry)
        backoff = 0.5
        try:
            while not stop.is_set():
                batches = self.stats.batches
                try:
                    await self._session(engine, registry, stop)
                except (RetriableError, OperationalError) as exc:
                    if self.stats.batches != batches:
                        backoff = 0.5
                    log.warning(
                        "connector interrupted, retrying",
                        connector=self.name,
                        error=str(exc),
                        retry_in_s=backoff,
                    )
                    await sleep_unless(stop, backoff)
                    backoff = min(backoff * 2, _MAX_BACKOFF_S)
        finally:
            await registry.close()
            if self._engine is None:
                engine.dispose()

    async def reset_position(self) -> None:
        """Forget where this connector stopped: its next run publishes the outbox from the start."""
        await delete_committed_value(self._settings, self.name, self.transactional_id)

    async def _session(self, engine: Engine, registry: RegistryClient, stop: asyncio.Event) -> None:
        settings = self._settings
        await ensure_topics(settings, bus_topics(settings))
        targets = await self._targets(registry)
        await asyncio.to_thread(ensure_source_schema, engine)
        reader = OutboxReader(engine)
        publisher = TransactionalPublisher(settings, self.transactional_id)
        await publisher.start()
        prefetch: asyncio.Task[OutboxBatch] | None = None
        try:
            position = await self._stored_position(engine)
            self.stats.position = position
            log.info("connector started", connector=self.name, after_outbox_id=position)
            prefetch = self._prepare_soon(reader, targets, position)
            while not stop.is_set():
                batch = await prefetch
                if not batch.rows:
                    await sleep_unless(stop, settings.connector.poll_interval_s)
                    prefetch = self._prepare_soon(reader, targets, position)
                    continue
                position = batch.last_id
                # The next batch is read and encoded while this one commits.
                prefetch = self._prepare_soon(reader, targets, position)
                await self._commit(publisher, batch)
        finally:
            if prefetch is not None:
                await _settle(prefetch)
            await publisher.stop()
        log.info("connector stopped", connector=self.name, position=self.stats.position)

    def _prepare_soon(
        self, reader: OutboxReader, targets: RecordTargets, position: int
    ) -> asyncio.Task[OutboxBatch]:
        return asyncio.create_task(asyncio.to_thread(self._prepare, reader, targets, position))

    def _prepare(self, reader: OutboxReader, targets: RecordTargets, position: int) -> OutboxBatch:
        """Runs in a worker thread: the database read and the encoding stay off the event loop."""
        rows = reader.read_after(position, self._settings.connector.batch_size)
        offsets_topic = self._settings.topics.connector_offsets
        return build_batch(rows, targets, offsets_topic, self._clock())

    async def _commit(self, publisher: TransactionalPublisher, batch: OutboxBatch) -> None:
        await publisher.publish(batch.records)
        stats = self.stats
        for row, outcome in zip(batch.rows, batch.outcomes, strict=True):
            stats.published += outcome.events
            stats.tombstones += outcome.tombstones
            if outcome.dead_letter is not None:
                stats.dead_lettered += 1
                error = outcome.dead_letter
                log.warning(
                    "outbox row dead-lettered",
                    connector=self.name,
                    outbox_id=row.id,
                    stage=error.stage,
                    reason=error.reason,
                )
        stats.batches += 1
        stats.position, stats.last_commit_at = batch.last_id, self._clock()

    async def _targets(self, registry: RegistryClient) -> RecordTargets:
        """Where and as whom to write, with the value schema registered (or found) first."""
        settings = self._settings
        serializer = await prepared_serializer(
            registry, settings, DOSSIER_CHANGE, settings.topics.dossiers
        )
        return RecordTargets(
            connector=self.name,
            source=self._source,
            topic=settings.topics.dossiers,
            dead_letter_topic=settings.topics.dead_letter(settings.topics.dossiers),
            codec=serializer,
        )

    async def _stored_position(self, engine: Engine) -> int:
        position = position_from_value(await read_committed_value(self._settings, self.name))
        newest = await asyncio.to_thread(newest_outbox_id, engine)
        if newest is not None and position > newest:
            raise ConfigurationError(
                f"connector {self.name} stopped after outbox id {position}, but the newest row "
                f"is {newest}: the source database was replaced or restored. Reset the "
                "connector's position (`lienthong connect reset`) to publish it from the start."
            )
        return position


async def _settle(task: asyncio.Task[OutboxBatch]) -> None:
    """Let a worker thread finish (threads cannot be interrupted); its result is discarded."""
    await asyncio.wait([task])
    if not task.cancelled():
        task.exception()
