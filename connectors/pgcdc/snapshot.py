"""The initial snapshot: every row of every table, in key order, a chunk at a time.

Each chunk is one short statement of its own (no long transaction holding back vacuum), read
after its version V was taken: V is the WAL insert position read just before, and the chunk
is read only once every transaction that was running at that moment has ended. So every
transaction whose commit record lies before V is in the chunk, and every transaction the
chunk misses commits at V or later. Streamed changes carry their commit LSN as version: the
centre ignores those older than a snapshot row (the row already holds them) and applies the
newer ones. Without that wait, a transaction whose commit record was written but which was
not yet visible would get a version below V and be ignored, and its change lost.

Every row is a resume point: its position holds its key, so an interrupted snapshot goes on
after the last row Kafka committed, without starting over and without publishing a row twice.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import psycopg
import structlog
from psycopg import sql

from connectors.contract import SourceItem
from connectors.pgcdc.changes import Origin, RowChanges
from connectors.pgcdc.positions import SnapshotPosition, format_lsn, parse_lsn
from lienthong.errors import ConfigurationError
from lienthong.events import Operation

__all__ = ["SnapshotReader"]

log = structlog.get_logger(__name__)

Connection = psycopg.AsyncConnection[tuple[Any, ...]]

_VERSION = "SELECT pg_current_wal_insert_lsn()::text, now()"
_RUNNING = "SELECT ARRAY(SELECT pg_snapshot_xip(pg_current_snapshot())::text)"
_STILL_RUNNING = (
    "SELECT ARRAY(SELECT x::text FROM unnest(%s::text[]::xid8[]) AS x "
    "WHERE pg_xact_status(x) = 'in progress')"
)
_WAIT_LOG_S = 10.0


class SnapshotReader:
    def __init__(self, conn: Connection, tables: Sequence[RowChanges], chunk: int) -> None:
        self._conn = conn
        self._tables = tables
        self._chunk = chunk

    async def read(self, start: SnapshotPosition, stop: asyncio.Event) -> AsyncIterator[SourceItem]:
        """The rows after `start`, table after table; returns early once `stop` is set."""
        names = [changes.table.name for changes in self._tables]
        if start.table not in names:
            raise ConfigurationError(
                f"the stored snapshot position names table {start.table}, which is no longer "
                "captured; forget the connector's position to snapshot again"
            )
        after_pk = start.after_pk
        for changes in self._tables[names.index(start.table) :]:
            log.info("snapshot of table", table=changes.table.name, after_pk=after_pk)
            while not stop.is_set():
                chunk = await self._chunk_after(changes, after_pk, stop)
                if chunk is None:
                    return
                rows, version, read_at = chunk
                origin = Origin(
                    version, read_at, f"snapshot {changes.table.name} at {format_lsn(version)}"
                )
                for values, key_text in rows:
                    after_pk = key_text
                    position = SnapshotPosition(start.lsn0, changes.table.name, key_text)
                    yield changes.item(
                        Operation.SNAPSHOT,
                        values,
                        None,
                        origin=origin,
                        index=0,
                        position=position.to_json(),
                    )
                if len(rows) < self._chunk:
                    break
            if stop.is_set():
                return
            after_pk = None

    async def _chunk_after(
        self, changes: RowChanges, after_pk: tuple[str, ...] | None, stop: asyncio.Event
    ) -> tuple[list[tuple[dict[str, Any], tuple[str, ...]]], int, datetime] | None:
        """The chunk's rows with their key as text, its version and time; None once stopped."""
        taken = await self._version(stop)
        if taken is None:
            return None
        version, read_at = taken
        table = changes.table
        columns = list(
            dict.fromkeys([*table.fields, *table.key_columns, *table.options.envelope_columns])
        )
        keys = [sql.Identifier(column) for column in table.key_columns]
        query = sql.SQL("SELECT {columns}, {key_text} FROM {table}").format(
            columns=sql.SQL(", ").join(sql.Identifier(column) for column in columns),
            key_text=sql.SQL(", ").join(sql.SQL("{}::text").format(key) for key in keys),
            table=sql.Identifier(table.options.schema_name, table.options.table_name),
        )
        params: list[Any] = []
        if after_pk is not None:
            bounds = [
                sql.SQL("%s::{}").format(sql.SQL(table.types[column]))
                for column in table.key_columns
            ]
            query += sql.SQL(" WHERE ({}) > ({})").format(
                sql.SQL(", ").join(keys), sql.SQL(", ").join(bounds)
            )
            params.extend(after_pk)
        query += sql.SQL(" ORDER BY {} LIMIT %s").format(sql.SQL(", ").join(keys))
        params.append(self._chunk)
        found = await (await self._conn.execute(query, params)).fetchall()
        width = len(columns)
        rows = [(dict(zip(columns, row[:width], strict=True)), tuple(row[width:])) for row in found]
        return rows, version, read_at

    async def _version(self, stop: asyncio.Event) -> tuple[int, datetime] | None:
        """The chunk's version, once every transaction running when it was taken has ended;
        None when `stop` is set meanwhile."""
        row = await (await self._conn.execute(_VERSION)).fetchone()
        assert row is not None
        version, read_at = parse_lsn(row[0]), row[1]
        running = await self._scalar(_RUNNING, ())
        started, delay = time.monotonic(), 0.001
        logged = started
        while running:
            if stop.is_set():
                return None
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)
            running = await self._scalar(_STILL_RUNNING, (running,))
            if running and time.monotonic() - logged > _WAIT_LOG_S:
                logged = time.monotonic()
                log.warning(
                    "snapshot waits for transactions to end",
                    transactions=running[:10],
                    waited_s=round(logged - started),
                )
        return version, read_at

    async def _scalar(self, query: str, params: tuple[Any, ...]) -> list[str]:
        row = await (await self._conn.execute(query, params)).fetchone()
        assert row is not None
        return list(row[0])
