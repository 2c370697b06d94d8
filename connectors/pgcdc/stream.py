"""Streaming: the slot's changes, read without consuming them, consumed once Kafka has them.

`pg_logical_slot_peek_binary_changes` decodes from the slot's confirmed position without
moving it; whole transactions come back, in commit order. The slot is advanced only to the
end of a transaction whose last item the runner has committed to Kafka (its receipt says
so), so a crash at any moment leaves every change either in Kafka or still in the slot.
Changes already read but not yet confirmed are decoded again by the next peek and skipped
here by position; the read waits briefly for confirmations first to keep that rare.

Heartbeat: when nothing new arrives for this connector and everything read is confirmed,
the slot is advanced past the WAL that other tables and databases wrote meanwhile (at most
every `heartbeat_s`), so the server can recycle it. Nothing is published for it: the stored
position stays at the last change, and a restart from there skips that WAL by itself.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import psycopg
import structlog

from connectors.contract import SourceItem
from connectors.pgcdc.changes import RowChanges
from connectors.pgcdc.confirmations import Confirmations
from connectors.pgcdc.decoding import ChangeDecoder
from connectors.pgcdc.positions import StreamPosition, format_lsn
from connectors.pgcdc.replication import advance_slot, flushed_lsn
from connectors.waiting import sleep_unless

__all__ = ["StreamReader"]

log = structlog.get_logger(__name__)

_PEEK = (
    "SELECT lsn::text, data FROM pg_logical_slot_peek_binary_changes("
    "%s, %s::pg_lsn, %s, 'proto_version', '1', 'publication_names', %s)"
)


class StreamReader:
    def __init__(
        self,
        conn: psycopg.AsyncConnection[tuple[Any, ...]],
        slot: str,
        publication: str,
        tables: Mapping[str, RowChanges],
        *,
        poll_interval_s: float,
        heartbeat_s: float,
        peek_limit: int,
    ) -> None:
        self._conn = conn
        self._slot = slot
        # pgoutput reads the list as SQL identifiers: quoted, the name keeps its case
        self._publications = '"' + publication.replace('"', '""') + '"'
        self._tables = tables
        self._poll_interval_s = poll_interval_s
        self._heartbeat_s = heartbeat_s
        self._peek_limit = peek_limit

    async def read(self, after: StreamPosition, stop: asyncio.Event) -> AsyncIterator[SourceItem]:
        """The changes after `after`, waiting for new ones, until `stop` is set."""
        conn, slot = self._conn, self._slot
        confirmations = Confirmations()
        decoder = ChangeDecoder(self._tables, after, context=conn, receipt_for=confirmations.expect)
        await advance_slot(conn, slot, after.lsn)  # what Kafka holds durably
        advanced_at = time.monotonic()
        log.info("streaming changes", slot=slot, after=format_lsn(after.lsn))
        while not stop.is_set():
            committed = await confirmations.committed_lsn(self._poll_interval_s)
            if committed is not None:
                await advance_slot(conn, slot, committed)
                advanced_at = time.monotonic()
            upto = await flushed_lsn(conn)
            produced, rows = 0, 0
            async with conn.transaction(), conn.cursor(name="pgcdc_changes") as cursor:
                cursor.itersize = 1000
                await cursor.execute(
                    _PEEK, (slot, format_lsn(upto), self._peek_limit, self._publications)
                )
                async for lsn, data in cursor:
                    rows += 1
                    for item in decoder.feed(bytes(data), lsn):
                        produced += 1
                        yield item
                        if stop.is_set():
                            return
            if produced:
                continue
            if confirmations.settled and time.monotonic() - advanced_at >= self._heartbeat_s:
                # Nothing of ours before `upto` (or before the last transaction decoded when
                # the peek stopped at its limit) is unpublished.
                await advance_slot(
                    conn, slot, upto if rows < self._peek_limit else decoder.boundary
                )
                advanced_at = time.monotonic()
            await sleep_unless(stop, self._poll_interval_s)
