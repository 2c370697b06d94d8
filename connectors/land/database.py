"""The land register's database: where it is, its schema, and the writes the register makes.

Each write stamps `updated_at` from the database's clock (PostgreSQL `now()`; SQLite has no
server, so the clock of the machine that holds the file) and raises `row_version`; an update
only applies to the version it was read at, like the register's own optimistic locking.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.sql.elements import ColumnElement

from connectors.department_db import sqlalchemy_url, writer_engine
from connectors.land.records import ParcelRecord
from connectors.land.tables import land_metadata, parcels_table
from lienthong.errors import LienthongError

__all__ = [
    "StaleParcelError",
    "add_parcels",
    "change_parcels",
    "database_now",
    "default_land_path",
    "ensure_land_schema",
    "land_engine",
    "latest_parcels",
]


class StaleParcelError(LienthongError):
    """Another writer changed the parcel since it was read."""


def default_land_path(var_dir: Path) -> Path:
    return var_dir / "source" / "land.db"


def land_engine(dsn: str | None, var_dir: Path = Path("var")) -> Engine:
    """The register at `dsn` (a SQLAlchemy URL), or the SQLite file under `var_dir`."""
    if dsn is None:
        path = default_land_path(var_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        dsn = f"sqlite:///{path}"
    return writer_engine(sqlalchemy_url(dsn))


def ensure_land_schema(engine: Engine) -> None:
    land_metadata.create_all(engine, checkfirst=True)


def database_now(conn: Connection) -> ColumnElement[datetime] | datetime:
    """The database's clock as `updated_at` takes it, to the microsecond."""
    if conn.dialect.name == "sqlite":
        return datetime.now(UTC)
    if conn.dialect.name in ("mysql", "mariadb"):
        return func.now(6)  # plain NOW() drops the fraction of a second
    return func.now()


def add_parcels(conn: Connection, records: Sequence[ParcelRecord]) -> None:
    """Insert new parcels in the caller's transaction."""
    now = database_now(conn)
    for record in records:
        conn.execute(insert(parcels_table).values({**record.to_row(), "updated_at": now}))


def change_parcels(conn: Connection, records: Sequence[ParcelRecord]) -> None:
    """Store new versions of parcels in the caller's transaction; each must follow the
    stored version, or the whole transaction fails with StaleParcelError."""
    now = database_now(conn)
    for record in records:
        result = conn.execute(
            update(parcels_table)
            .where(parcels_table.c.parcel_id == record.parcel_id)
            .where(parcels_table.c.row_version == record.row_version - 1)
            .values({**record.to_row(), "updated_at": now})
        )
        if result.rowcount != 1:
            raise StaleParcelError(f"parcel {record.parcel_id} changed concurrently")


def latest_parcels(engine: Engine) -> list[ParcelRecord]:
    """The parcels in force: not closed by a split or merge, not deleted; in id order."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(parcels_table)
            .where(parcels_table.c.is_latest.is_(True), parcels_table.c.deleted.is_(False))
            .order_by(parcels_table.c.id)
        ).mappings()
        return [ParcelRecord.from_row(row) for row in rows]
