"""The centre's database: SQLite by default, PostgreSQL when a DSN is set, one code path.

Only the upsert and the history's insert-once differ between the dialects (`INSERT ... ON
CONFLICT` comes from each dialect's `insert`); everything else is plain SQLAlchemy Core.
"""

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import URL, Connection, Engine, Table, create_engine, delete, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlalchemy.sql.dml import Delete, Insert

from lienthong.errors import ConfigurationError
from lienthong.settings import Settings
from streams.centre.batch import CentreBatch
from streams.centre.history import history_row
from streams.centre.rows import deletion_row, dossier_row
from streams.centre.schema import (
    DELETED_DOSSIERS,
    DOSSIER_HISTORY,
    DOSSIERS,
    METADATA,
    STREAM_OFFSETS,
)

__all__ = ["centre_url", "create_centre_engine", "open_centre", "write_batch"]

VersionRule = Literal["newer_or_same", "newer", "always"]

_DIALECT_INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}

_IN_CHUNK = 500
"""Keys per `IN (...)` list, far below SQLite's and PostgreSQL's bound-parameter limits."""


def centre_url(settings: Settings) -> URL:
    if settings.centre.dsn is None:
        return URL.create("sqlite+pysqlite", database=str(settings.centre_sqlite_path))
    url = make_url(settings.centre.dsn.get_secret_value())
    if url.get_backend_name() != "postgresql":
        raise ConfigurationError(
            f"the centre store needs a postgresql:// DSN, got {url.get_backend_name()}://"
        )
    return url.set(drivername="postgresql+psycopg")


def create_centre_engine(settings: Settings) -> Engine:
    """An engine on the centre's database; nothing is created or connected yet."""
    url = centre_url(settings)
    if url.get_backend_name() == "postgresql":
        return create_engine(url, pool_size=2, max_overflow=2, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 5.0})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def open_centre(settings: Settings) -> Engine:
    """The centre's engine with its schema in place (created if missing, idempotent)."""
    if settings.centre.dsn is None:
        settings.centre_sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_centre_engine(settings)
    # IF NOT EXISTS rather than create_all's check-then-create: the worker and a reader
    # (the demo, an operator) may open the centre at the same moment.
    with engine.begin() as conn:
        for table in METADATA.sorted_tables:
            conn.execute(CreateTable(table, if_not_exists=True))
            for index in table.indexes:
                conn.execute(CreateIndex(index, if_not_exists=True))
    return engine


def write_batch(engine: Engine, consumer_group: str, batch: CentreBatch) -> None:
    """Apply the batch's changes, add them to the history and record its offsets in one
    transaction: all or nothing."""
    synced_at = datetime.now(UTC)
    with engine.begin() as conn:
        if history := [history_row(received, synced_at) for received in batch.received]:
            conn.execute(_insert_once(conn, DOSSIER_HISTORY, ["event_id"]), history)
        if upserts := [dossier_row(change, synced_at) for change in batch.upserts]:
            conn.execute(_upsert(conn, DOSSIERS, ["dossier_no"], "newer_or_same"), upserts)
        if deletions := [deletion_row(change, synced_at) for change in batch.deletes]:
            conn.execute(_upsert(conn, DELETED_DOSSIERS, ["dossier_no"], "newer"), deletions)
        for keys in _chunks(batch.keys, _IN_CHUNK):
            conn.execute(_superseded_by_deletion(keys))
        if offsets := [
            {
                "consumer_group": consumer_group,
                "topic": o.topic,
                "partition": o.partition,
                "next_offset": o.next_offset,
                "updated_at": synced_at,
            }
            for o in batch.offsets
        ]:
            key = ["consumer_group", "topic", "partition"]
            conn.execute(_upsert(conn, STREAM_OFFSETS, key, "always"), offsets)


def _upsert(conn: Connection, table: Table, key: list[str], rule: VersionRule) -> Insert:
    """Insert, or update the row with the same key when the incoming entity_version allows.

    "newer_or_same" re-applies an equal version (harmless: same event, same row).
    """
    stmt = _DIALECT_INSERTS[conn.dialect.name](table)
    changing = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in key}
    guard = None
    if rule == "newer_or_same":
        guard = table.c.entity_version <= stmt.excluded.entity_version
    elif rule == "newer":
        guard = table.c.entity_version < stmt.excluded.entity_version
    upsert: Insert = stmt.on_conflict_do_update(index_elements=key, set_=changing, where=guard)
    return upsert


def _insert_once(conn: Connection, table: Table, key: list[str]) -> Insert:
    """Insert, or leave the row already there with the same key untouched."""
    insert: Insert = _DIALECT_INSERTS[conn.dialect.name](table).on_conflict_do_nothing(
        index_elements=key
    )
    return insert


def _superseded_by_deletion(keys: Sequence[str]) -> Delete:
    """Delete the rows whose dossier was deleted at their version or later.

    This one statement both carries out DELETE events and stops an older create or update,
    replayed after the delete, from bringing the dossier back.
    """
    deleted = (
        DELETED_DOSSIERS.select()
        .where(
            DELETED_DOSSIERS.c.dossier_no == DOSSIERS.c.dossier_no,
            DELETED_DOSSIERS.c.entity_version >= DOSSIERS.c.entity_version,
        )
        .exists()
    )
    return delete(DOSSIERS).where(DOSSIERS.c.dossier_no.in_(keys), deleted)


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the demo and operators read counts while the worker writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
