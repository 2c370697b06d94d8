"""The department's database: one engine per connector, and the checks made before reading."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from connectors.department_db import DRIVERS, reader_engine, shown
from connectors.outbox.gaps import InnoDbGapRule
from connectors.outbox.options import OutboxOptions
from lienthong.errors import ConfigurationError
from lienthong.privacy import shown_dsn

__all__ = ["check_outbox", "outbox_engine", "shown"]

_NO_PRIVILEGE = 1227
"""MySQL/MariaDB: access denied; you need (at least one of) the … privilege(s)."""


def outbox_engine(dsn: str) -> Engine:
    """An engine that reads committed data only and never writes to the department's tables."""
    try:
        url = make_url(dsn)
    except ArgumentError:
        # SQLAlchemy's message quotes the whole string, password included.
        raise ConfigurationError(f"outbox dsn {shown_dsn(dsn)} is not a database URL") from None
    backend = url.get_backend_name()
    if backend not in DRIVERS:
        raise ConfigurationError(
            f"outbox dsn {shown(url)}: expected postgresql, mysql, mariadb or sqlite"
        )
    if "+" not in url.drivername:
        url = url.set(drivername=DRIVERS[backend])
    return reader_engine(url, "outbox dsn")


def check_outbox(engine: Engine, options: OutboxOptions) -> None:
    """The table and its mapped columns exist, and the gap rule may see open transactions."""
    schema, _, table = options.table.rpartition(".")
    with engine.connect() as conn:
        inspector = inspect(conn)
        where = shown(engine.url)
        if not inspector.has_table(table, schema=schema or None):
            raise ConfigurationError(f"outbox table {options.table} not found in {where}")
        # Only PostgreSQL tells apart column names that differ in case (when quoted).
        same: Callable[[str], str] = str if engine.dialect.name == "postgresql" else str.casefold
        columns = inspector.get_columns(table, schema=schema or None)
        present = {same(column["name"]) for column in columns}
        wanted = [name for name in options.columns.model_dump().values() if name is not None]
        missing = sorted(name for name in wanted if same(name) not in present)
        if missing:
            raise ConfigurationError(
                f"outbox table {options.table} in {where} has no column {', '.join(missing)}"
            )
        if engine.dialect.name in ("mysql", "mariadb"):
            try:
                InnoDbGapRule().horizon(conn)
            except DBAPIError as exc:
                if _error_code(exc) != _NO_PRIVILEGE:
                    raise
                raise ConfigurationError(
                    f"the outbox user of {where} needs the PROCESS privilege, to see which "
                    "transactions are open (information_schema.innodb_trx)"
                ) from exc


def _error_code(error: DBAPIError) -> Any:
    args = getattr(error.orig, "args", ())
    return args[0] if args else None
