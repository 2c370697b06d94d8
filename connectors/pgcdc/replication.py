"""The publication and the logical replication slot a pgcdc connector reads through.

The publication names the tables whose changes the `pgoutput` plugin sends. The slot keeps
the WAL from its confirmed position on, so nothing committed after it is lost while the
connector is stopped; in exchange the server keeps that WAL until the slot moves on (or
until `max_slot_wal_keep_size` gives up on the slot). A slot left behind by a connector
that is gone must be dropped: `SELECT pg_drop_replication_slot('<slot>')`.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
import structlog
from psycopg import sql

from connectors.pgcdc.catalog import CapturedTable
from connectors.pgcdc.positions import format_lsn, parse_lsn
from lienthong.errors import ConfigurationError, RetriableError

__all__ = [
    "SlotState",
    "advance_slot",
    "check_wal_level",
    "ensure_publication",
    "ensure_slot",
    "flushed_lsn",
    "slot_state",
]

log = structlog.get_logger(__name__)

Connection = psycopg.AsyncConnection[tuple[object, ...]]

_SLOT = """
SELECT confirmed_flush_lsn::text, wal_status, database, plugin
FROM pg_replication_slots WHERE slot_name = %s
"""


@dataclass(frozen=True, slots=True)
class SlotState:
    confirmed_flush: int
    """Transactions committing before this are consumed; decoding starts after them."""
    wal_status: str | None
    database: str
    plugin: str


async def check_wal_level(conn: Connection) -> None:
    level = await _scalar(conn, "SHOW wal_level")
    if level != "logical":
        raise ConfigurationError(
            f"PostgreSQL runs with wal_level={level}; log-based capture needs wal_level=logical "
            "(and free max_replication_slots), which takes a server restart"
        )


async def flushed_lsn(conn: Connection) -> int:
    """The end of the WAL already on disk: decoding and slot advances go no further."""
    return parse_lsn(await _scalar(conn, "SELECT pg_current_wal_flush_lsn()::text"))


async def slot_state(conn: Connection, slot: str) -> SlotState | None:
    row = await (await conn.execute(_SLOT, (slot,))).fetchone()
    if row is None:
        return None
    confirmed, wal_status, database, plugin = row
    if confirmed is None and plugin is not None:
        raise RetriableError(f"replication slot {slot} is still being created")
    return SlotState(
        0 if confirmed is None else parse_lsn(str(confirmed)),
        _text(wal_status),
        str(database),
        str(plugin),
    )


async def ensure_slot(conn: Connection, slot: str) -> SlotState:
    """The slot, created when missing (this waits for transactions running at that moment)."""
    state = await slot_state(conn, slot)
    if state is None:
        await conn.execute("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (slot,))
        log.info("replication slot created", slot=slot)
        state = await slot_state(conn, slot)
        assert state is not None
    database = await _scalar(conn, "SELECT current_database()")
    if state.plugin != "pgoutput" or state.database != database:
        raise ConfigurationError(
            f"replication slot {slot} belongs to database {state.database} with plugin "
            f"{state.plugin}; choose another slot name"
        )
    if state.wal_status == "lost":
        raise ConfigurationError(
            f"replication slot {slot} lost the WAL it needed (max_slot_wal_keep_size): changes "
            "are missing; drop the slot and forget the connector's position to snapshot again"
        )
    return state


async def advance_slot(conn: Connection, slot: str, lsn: int) -> None:
    """Tell the server everything before `lsn` is consumed, so it may recycle that WAL.

    Slots never move back; an older `lsn` leaves the slot where it is."""
    state = await slot_state(conn, slot)
    if state is None or lsn <= state.confirmed_flush:
        return
    await conn.execute(
        "SELECT pg_replication_slot_advance(%s, %s::pg_lsn)", (slot, format_lsn(lsn))
    )


async def ensure_publication(
    conn: Connection, publication: str, tables: Sequence[CapturedTable]
) -> None:
    """The publication, created when missing; tables it lacks are added to it."""
    name = sql.Identifier(publication)
    found = await (
        await conn.execute(
            "SELECT puballtables, pubinsert AND pubupdate AND pubdelete, pubviaroot "
            "FROM pg_publication WHERE pubname = %s",
            (publication,),
        )
    ).fetchone()
    partitioned = [table.name for table in tables if table.partitioned]
    if found is None:
        targets = sql.SQL(", ").join(_identifier(table) for table in tables)
        create = sql.SQL("CREATE PUBLICATION {} FOR TABLE {}").format(name, targets)
        if partitioned:
            # changes of a partition then come under the partitioned table's name
            create += sql.SQL(" WITH (publish_via_partition_root = true)")
        await conn.execute(create)
        log.info("publication created", publication=publication)
        return
    all_tables, every_operation, via_root = found
    if partitioned and not via_root:
        raise ConfigurationError(
            f"publication {publication} publishes the partitions of {', '.join(partitioned)} "
            "under their own names; ALTER PUBLICATION ... SET (publish_via_partition_root = true)"
        )
    if not every_operation:
        log.warning(
            "publication leaves out inserts, updates or deletes: those changes are not captured",
            publication=publication,
        )
    if all_tables:
        return
    rows = await (
        await conn.execute(
            "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = %s",
            (publication,),
        )
    ).fetchall()
    published = {str(row[0]) for row in rows}
    for table in tables:
        if table.name not in published:
            await conn.execute(
                sql.SQL("ALTER PUBLICATION {} ADD TABLE {}").format(name, _identifier(table))
            )
            log.info("table added to publication", publication=publication, table=table.name)


def _identifier(table: CapturedTable) -> sql.Identifier:
    return sql.Identifier(table.options.schema_name, table.options.table_name)


async def _scalar(conn: Connection, query: str) -> str:
    row = await (await conn.execute(query)).fetchone()
    assert row is not None
    return str(row[0])


def _text(value: object) -> str | None:
    return None if value is None else str(value)
