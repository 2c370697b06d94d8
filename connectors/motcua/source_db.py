"""The one-stop-shop database: its `dossiers` table and the transactional `outbox` beside it.

One code path over SQLite (a file, the default) and PostgreSQL (`settings.source.dsn`).
Every change to `dossiers` and its outbox row are written in one transaction: that is what
lets the connector publish exactly the changes that were committed, no more, no fewer.
"""

from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from connectors.department_db import writer_engine
from connectors.motcua.department import DeptDossier, OutboxEventType
from connectors.motcua.source_tables import dossiers_table, outbox_table, source_metadata
from lienthong.errors import ConfigurationError, LienthongError
from lienthong.settings import Settings

__all__ = [
    "StaleDossierError",
    "append_outbox",
    "create_source_engine",
    "dossiers_table",
    "ensure_source_schema",
    "newest_outbox_id",
    "outbox_table",
    "source_metadata",
    "source_url",
    "write_change",
]


class StaleDossierError(LienthongError):
    """Another writer changed the dossier since it was read."""


def source_url(settings: Settings) -> str:
    if settings.source.dsn is not None:
        dsn = settings.source.dsn.get_secret_value()
        scheme, sep, rest = dsn.partition("://")
        if not sep or scheme not in ("postgres", "postgresql", "postgresql+psycopg"):
            raise ConfigurationError("source DSN must be a postgresql:// URL")
        return f"postgresql+psycopg://{rest}"
    path: Path = settings.source_sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def create_source_engine(settings: Settings) -> Engine:
    return writer_engine(source_url(settings), "synchronous=NORMAL")


def ensure_source_schema(engine: Engine) -> None:
    source_metadata.create_all(engine, checkfirst=True)


def newest_outbox_id(engine: Engine) -> int | None:
    with engine.connect() as conn:
        newest: int | None = conn.execute(select(func.max(outbox_table.c.id))).scalar_one()
        return newest


def write_change(
    engine: Engine,
    event_type: OutboxEventType,
    dossier: DeptDossier,
    *,
    occurred_at: datetime,
    correlation_id: str | None = None,
    causation_id: str | None = None,
) -> int:
    """Apply one change and append its outbox row atomically; return the outbox id.

    `dossier` is the state after the change, or the deleted state for a delete. A dossier
    changed by another writer since it was read makes the whole change fail.
    """
    if event_type is OutboxEventType.SNAPSHOT:
        raise ValueError("a snapshot changes no row: append it with append_outbox")
    with engine.begin() as conn:
        if event_type is OutboxEventType.CREATED:
            conn.execute(insert(dossiers_table).values(dossier.to_row()))
        else:
            # An update carries the stored version plus one; a delete, the stored version.
            stored = (
                dossier.version - 1 if event_type is OutboxEventType.UPDATED else dossier.version
            )
            same = (dossiers_table.c.dossier_no == dossier.dossier_no) & (
                dossiers_table.c.version == stored
            )
            if event_type is OutboxEventType.UPDATED:
                result = conn.execute(update(dossiers_table).where(same).values(dossier.to_row()))
            else:
                result = conn.execute(delete(dossiers_table).where(same))
            if result.rowcount != 1:
                raise StaleDossierError(f"dossier {dossier.dossier_no} changed concurrently")
        return append_outbox(
            conn,
            event_type,
            dossier,
            occurred_at=occurred_at,
            correlation_id=correlation_id,
            causation_id=causation_id,
        )


def append_outbox(
    conn: Connection,
    event_type: OutboxEventType,
    dossier: DeptDossier,
    *,
    occurred_at: datetime,
    correlation_id: str | None = None,
    causation_id: str | None = None,
) -> int:
    """Append one outbox row in the caller's transaction; return its id. No dossier row changes."""
    inserted = conn.execute(
        insert(outbox_table)
        .values(
            aggregate_type="dossier",
            aggregate_id=dossier.dossier_no,
            event_type=event_type.value,
            payload=dossier.to_payload(),
            occurred_at=occurred_at,
            correlation_id=correlation_id,
            causation_id=causation_id,
        )
        .returning(outbox_table.c.id)
    )
    outbox_id: int = inserted.scalar_one()
    return outbox_id
