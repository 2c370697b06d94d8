"""Connecting to a department database from its `dsn`, with the drivers this project ships.

The connector only reads: on SQLite it refuses a missing file (rather than create one) and
sets `query_only`; elsewhere each statement reads what is committed when it starts.
"""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from lienthong.errors import ConfigurationError

__all__ = ["polling_engine", "sqlalchemy_url"]

_DRIVERS = {
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}


def sqlalchemy_url(dsn: str) -> str:
    """`dsn` with the driver installed here named: postgresql:// becomes postgresql+psycopg://."""
    scheme, sep, rest = dsn.partition("://")
    if not sep:
        raise ConfigurationError("dsn must be a URL such as postgresql://user@host/db")
    return f"{_DRIVERS.get(scheme, scheme)}://{rest}"


def polling_engine(dsn: str) -> Engine:
    try:
        url = make_url(sqlalchemy_url(dsn))
        if url.get_backend_name() == "sqlite":
            path = url.database or ""
            if path in ("", ":memory:") or not Path(path).is_file():
                raise ConfigurationError(f"dsn {_shown(dsn)}: no such SQLite file")
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_reader)
            return engine
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=2,
            isolation_level="READ COMMITTED",
            connect_args={"connect_timeout": 10},
        )
    except (ArgumentError, ImportError) as exc:
        raise ConfigurationError(f"cannot use dsn {_shown(dsn)}: {exc}") from exc


def _sqlite_reader(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")  # the department's file is never written
    # The department writes while we read: wait for its lock instead of failing "locked".
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _shown(dsn: str) -> str:
    try:
        return make_url(sqlalchemy_url(dsn)).render_as_string(hide_password=True)
    except (ArgumentError, ConfigurationError):
        return "(not a URL)"
