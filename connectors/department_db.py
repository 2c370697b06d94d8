"""Engines for department databases, with the drivers this project ships.

A connector only reads: on SQLite it refuses a missing file (rather than create one) and sets
`query_only`; elsewhere each statement reads what is committed when it starts, so a second
look finds rows committed since. A department system (or its simulator) writes: on SQLite in
WAL mode, so a connector reads while it writes.
"""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL

from lienthong.errors import ConfigurationError

__all__ = ["DRIVERS", "reader_engine", "shown", "sqlalchemy_url", "writer_engine"]

DRIVERS = {
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
    "sqlite": "sqlite",
}
"""The driver installed here for each database a URL may name without one."""


def sqlalchemy_url(dsn: str) -> str:
    """`dsn` with the driver installed here named: postgresql:// becomes postgresql+psycopg://."""
    scheme, sep, rest = dsn.partition("://")
    if not sep:
        raise ConfigurationError("dsn must be a URL such as postgresql://user@host/db")
    return f"{DRIVERS.get(scheme, scheme)}://{rest}"


def shown(url: URL) -> str:
    """The URL without its password, for messages and logs."""
    return url.render_as_string(hide_password=True)


def reader_engine(url: URL, what: str) -> Engine:
    """A read-only engine on `url` (its driver named); `what` names the dsn in messages."""
    if url.get_backend_name() != "sqlite":
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=2,
            isolation_level="READ COMMITTED",
            connect_args={"connect_timeout": 10},
        )
    database = url.database or ""
    if database in ("", ":memory:") or not Path(database).is_file():
        raise ConfigurationError(f"{what} {shown(url)}: no such SQLite file")
    engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_reader)
    return engine


def writer_engine(url: str, *sqlite_pragmas: str) -> Engine:
    """An engine for the department's own writes; on SQLite in WAL mode, plus `sqlite_pragmas`."""
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        pragmas = ("journal_mode=WAL", "busy_timeout=10000", *sqlite_pragmas)

        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            _run_pragmas(dbapi_connection, pragmas)

        event.listen(engine, "connect", on_connect)
    return engine


def _sqlite_reader(dbapi_connection: Any, _record: Any) -> None:
    # The department writes while we read: wait for its lock instead of failing "locked".
    _run_pragmas(dbapi_connection, ("query_only=ON", "busy_timeout=10000"))


def _run_pragmas(dbapi_connection: Any, pragmas: tuple[str, ...]) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in pragmas:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
