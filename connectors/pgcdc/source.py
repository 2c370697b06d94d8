"""Log-based change capture from PostgreSQL: kind `pgcdc`.

A logical replication slot (plugin `pgoutput`, protocol version 1, decoded here) delivers
every committed INSERT, UPDATE and DELETE of the captured tables, in commit order, read
through SQL functions on an ordinary connection (psycopg has no replication protocol). On
first start the connector creates the slot, then publishes a snapshot of every row (chunk by
chunk, resumable after any interruption), then streams from where the slot was created.

Delivery guarantee: exactly once for `read_committed` consumers, through crashes, kill -9
and restarts, in the snapshot and in the stream, mid-transaction included: each item's
position is exact (`positions`), it commits with the item in one Kafka transaction, and the
slot only moves past what Kafka holds (`stream`). Event ids are stable (table, key, version,
operation, index in the transaction), so even a replay after a lost position is recognised.

Versions: a streamed change carries its transaction's commit LSN; a snapshot row carries the
WAL position its chunk was read at, taken so that no commit before it is missing from the
chunk (`snapshot`). The centre keeps the newest version, so a change the snapshot already
holds is ignored and a later one wins, whichever arrives first.

Before images: updates and deletes carry the whole row before the change only with
`ALTER TABLE ... REPLICA IDENTITY FULL`; otherwise a delete carries the key alone (`before`
is empty) and an update no before image. An update that leaves a large (TOASTed) value
unchanged is sent without it by PostgreSQL: with REPLICA IDENTITY FULL it is taken from the
before image, otherwise the change is dead-lettered with that reason. A TRUNCATE becomes one
dead letter per table, asking for a reconciliation. A key change is a DELETE of the old key
then a CREATE of the new one.

Needs: `wal_level=logical` and a free replication slot on the server; the role needs the
REPLICATION attribute, SELECT on the tables, and, unless the publication exists already,
CREATE on the database and ownership of the tables. The slot keeps WAL while the connector
is stopped: drop it when the connector is retired (`pg_drop_replication_slot`). Tables
added to the configuration later are streamed from then on but not snapshotted: forget the
connector's position to snapshot everything again.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import psycopg
import structlog

from connectors.contract import Source, SourceItem
from connectors.pgcdc.catalog import CapturedTable, describe_table
from connectors.pgcdc.changes import RowChanges
from connectors.pgcdc.connection import connect, translated_errors
from connectors.pgcdc.options import PgCdcOptions, default_slot_name
from connectors.pgcdc.positions import (
    Position,
    SnapshotPosition,
    StreamPosition,
    parse_position,
)
from connectors.pgcdc.replication import (
    advance_slot,
    check_wal_level,
    ensure_publication,
    ensure_slot,
    flushed_lsn,
    slot_state,
)
from connectors.pgcdc.snapshot import SnapshotReader
from connectors.pgcdc.stream import StreamReader
from connectors.spec import ConnectorSpec
from lienthong.errors import ConfigurationError
from lienthong.settings import Settings

__all__ = ["PgCdcSource"]

log = structlog.get_logger(__name__)

Connection = psycopg.AsyncConnection[tuple[Any, ...]]


class PgCdcSource(Source):
    kind: ClassVar[str] = "pgcdc"
    Options = PgCdcOptions

    def __init__(self, spec: ConnectorSpec, settings: Settings) -> None:
        super().__init__(spec, settings)
        options: PgCdcOptions = self.options
        for table in options.tables:
            if table.domain not in self.domains:
                raise ConfigurationError(
                    f"connector {spec.name}: table {table.table} feeds {table.domain}, "
                    "which is not in its domains"
                )
        self.slot = options.slot or default_slot_name(spec.name)
        self.publication = options.publication or self.slot
        self._connections: set[Connection] = set()

    async def prepare(self) -> None:
        """Check the server and the tables; create the publication or add missing tables."""
        conn = await self._connect()
        try:
            async with translated_errors():
                await check_wal_level(conn)
                tables = await self._describe(conn)
                await ensure_publication(conn, self.publication, tables)
        finally:
            await self._disconnect(conn)

    async def read(self, after: str | None, stop: asyncio.Event) -> AsyncIterator[SourceItem]:
        options: PgCdcOptions = self.options
        conn = await self._connect()
        try:
            async with translated_errors():
                tables = [RowChanges(self.spec, table) for table in await self._describe(conn)]
                position = await self._start(conn, after)
                if isinstance(position, SnapshotPosition):
                    snapshot = SnapshotReader(conn, tables, options.snapshot_chunk)
                    async for item in snapshot.read(position, stop):
                        yield item
                    if stop.is_set():
                        return
                    log.info("snapshot done", connector=self.name)
                    position = StreamPosition(position.lsn0)
                stream = StreamReader(
                    conn,
                    self.slot,
                    self.publication,
                    {changes.table.name: changes for changes in tables},
                    poll_interval_s=options.poll_interval_s,
                    heartbeat_s=options.heartbeat_s,
                    peek_limit=max(1000, 4 * self.spec.batch_size),
                )
                async for item in stream.read(position, stop):
                    yield item
        finally:
            await self._disconnect(conn)

    async def close(self) -> None:
        for conn in list(self._connections):
            await self._disconnect(conn)

    async def _start(self, conn: Connection, after: str | None) -> Position:
        """Where to read from: the stored position, or a new beginning (with a new slot)."""
        if after is not None:
            if await slot_state(conn, self.slot) is None:
                raise ConfigurationError(
                    f"replication slot {self.slot} is gone, so changes after the stored position "
                    "are lost; forget the connector's position to snapshot again"
                )
            await ensure_slot(conn, self.slot)
            return parse_position(after)
        state = await ensure_slot(conn, self.slot)
        options: PgCdcOptions = self.options
        if options.snapshot == "never":
            return StreamPosition(state.confirmed_flush)
        # A slot left from an earlier run: the snapshot covers what it kept.
        await advance_slot(conn, self.slot, await flushed_lsn(conn))
        state = await ensure_slot(conn, self.slot)
        log.info("snapshot starts", connector=self.name, slot=self.slot)
        return SnapshotPosition(state.confirmed_flush, options.tables[0].table)

    async def _describe(self, conn: Connection) -> list[CapturedTable]:
        options: PgCdcOptions = self.options
        return [await describe_table(conn, table) for table in options.tables]

    async def _connect(self) -> Connection:
        options: PgCdcOptions = self.options
        conn = await connect(options.dsn, f"lienthong-{self.name}")
        self._connections.add(conn)
        return conn

    async def _disconnect(self, conn: Connection) -> None:
        self._connections.discard(conn)
        await conn.close()
