"""The centre's database: SQLite by default, PostgreSQL when a DSN is set, one code path
for every kind of entity (streams.centre.kinds).

Only the upserts and inserts-once differ between the dialects (streams.centre.dialect);
everything else is plain SQLAlchemy Core.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import URL, Connection, Engine, Table, create_engine, delete, event, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlalchemy.sql.dml import Delete

from lienthong.errors import ConfigurationError, RetriableError
from lienthong.privacy import load_data_protection, shown_dsn, without_secrets
from lienthong.settings import Settings
from streams.centre.audit_writer import HistoryWrite, append_audit, new_history_rows
from streams.centre.batch import CentreBatch, KindBatch
from streams.centre.bulk import write_rows
from streams.centre.dialect import chunks, key_in
from streams.centre.history import history_row
from streams.centre.kinds import EntityKey, EntityKind
from streams.centre.protection import bind_protection, protection_of
from streams.centre.schema import METADATA, STREAM_OFFSETS

__all__ = ["centre_url", "create_centre_engine", "open_centre", "write_batch"]


def centre_url(settings: Settings) -> URL:
    if settings.centre.dsn is None:
        return URL.create("sqlite+pysqlite", database=str(settings.centre_sqlite_path))
    dsn = settings.centre.dsn.get_secret_value()
    try:
        url = make_url(dsn)
    except ArgumentError:
        # SQLAlchemy's message quotes the whole string, password included.
        raise ConfigurationError(f"the centre DSN {shown_dsn(dsn)} is not a URL") from None
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
    """The centre's engine with its schema in place (created if missing, idempotent) and
    the privacy policy its writes apply (streams.centre.protection).

    Raises ConfigurationError for an unusable policy or key, before anything is written.
    """
    protection = load_data_protection(settings)
    if settings.centre.dsn is None:
        settings.centre_sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_centre_engine(settings)
    try:
        _create_schema(engine)
    except OperationalError as exc:
        engine.dispose()
        shown = engine.url.render_as_string(hide_password=True)
        detail = without_secrets(str(exc.orig), engine.url.password)
        raise RetriableError(f"the centre database {shown} does not answer: {detail}") from None
    return bind_protection(engine, protection)


def _create_schema(engine: Engine) -> None:
    # IF NOT EXISTS rather than create_all's check-then-create: the worker and a reader
    # (the demo, an operator) may open the centre at the same moment.
    with engine.begin() as conn:
        for table in METADATA.sorted_tables:
            conn.execute(CreateTable(table, if_not_exists=True))
            for index in table.indexes:
                conn.execute(CreateIndex(index, if_not_exists=True))


def write_batch(engine: Engine, consumer_group: str, batch: CentreBatch) -> None:
    """Apply the batch's changes of every kind, add them to the history, keep what is
    derived from them and record the batch's offsets in one transaction: all or nothing.

    Personal fields are kept as the centre's privacy policy says, in the current rows, the
    history and every column derived from them, so the audit log hashes what is stored.
    """
    synced_at = datetime.now(UTC)
    with engine.begin() as conn:
        batch = batch.transformed(protection_of(conn).protect)
        written = [_write_kind(conn, changes, synced_at) for changes in batch.kinds]
        append_audit(conn, written)
        offsets = [
            {
                "consumer_group": consumer_group,
                "topic": o.topic,
                "partition": o.partition,
                "next_offset": o.next_offset,
                "updated_at": synced_at,
            }
            for o in batch.offsets
        ]
        key = ["consumer_group", "topic", "partition"]
        write_rows(conn, STREAM_OFFSETS, offsets, key, "always")


def _write_kind(conn: Connection, changes: KindBatch, synced_at: datetime) -> HistoryWrite:
    """Returns the history rows it added, for the audit log."""
    kind = changes.kind
    keys = changes.keys
    captured = [d.capture(conn, keys) for d in kind.derivations]
    built = [history_row(kind, received, synced_at) for received in changes.received]
    history = new_history_rows(conn, kind, built)
    write_rows(conn, kind.history, history, ["event_id"], "nothing")
    upserts = [kind.row_of(change, synced_at) for change in changes.upserts]
    write_rows(conn, kind.current, upserts, kind.key_columns, "newer_or_same")
    if kind.deleted is not None:
        deletions = [kind.deletion_row(change, synced_at) for change in changes.deletes]
        write_rows(conn, kind.deleted, deletions, kind.key_columns, "newer")
        for some in chunks(keys):
            conn.execute(_superseded_by_deletion(conn, kind, kind.deleted, some))
    for derivation, before in zip(kind.derivations, captured, strict=True):
        derivation.apply(conn, changes, before, synced_at)
    return HistoryWrite(kind, history)


def _superseded_by_deletion(
    conn: Connection, kind: EntityKind[Any], deleted: Table, keys: Sequence[EntityKey]
) -> Delete:
    """Delete the rows whose entity was deleted at their version or later.

    This one statement both carries out DELETE events and stops an older create or update,
    replayed after the delete, from bringing the entity back.
    """
    current = kind.current
    marker = (
        deleted.select()
        .where(
            *(deleted.c[k] == current.c[k] for k in kind.key_columns),
            deleted.c.entity_version >= current.c.entity_version,
        )
        .exists()
    )
    return delete(current).where(key_in(conn, current, kind.key_columns, keys), marker)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the demo and operators read counts while the worker writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
