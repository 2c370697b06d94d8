"""Per database: how to read its clock, and how its timestamps go to a position and back.

The horizon (rows with a timestamp before it are read) always comes from the database's own
clock, never the connector's, so clock drift and time zones between the two cannot skip rows.
Timestamps are bound back exactly as the database gave them (naive stays naive), so the
keyset comparison `ts = :after_ts` finds the same rows again.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from connectors.polling.options import PollingOptions
from lienthong.errors import ConfigurationError

__all__ = ["Horizon", "PollDialect", "dialect_for"]

_SQLITE_STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")
_SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

# Transactions still open in this database (other than ours) whose start we can see; their
# rows may carry a timestamp as old as that start once they commit.
_POSTGRES_HORIZON = text(
    """
    SELECT now() - make_interval(secs => :delay_s) AS horizon,
           min(xact_start) FILTER (
               WHERE xact_start >= now() - make_interval(secs => :wait_s)) AS oldest_open,
           count(*) FILTER (
               WHERE xact_start < now() - make_interval(secs => :wait_s)) AS over_wait,
           count(*) FILTER (
               WHERE xact_start IS NULL AND backend_xid IS NOT NULL) AS hidden_writers
    FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid()
      AND (backend_type = 'client backend' OR backend_type IS NULL)
    """
)
_SQLITE_HORIZON = text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now', :shift)")
_MYSQL_HORIZON = text("SELECT NOW(6) - INTERVAL :delay_us MICROSECOND")
# InnoDB lists open transactions to roles with PROCESS; `trx_started` is whole seconds, which
# only moves the horizon earlier.
_INNODB_OPEN = text(
    """
    SELECT MIN(CASE WHEN trx_started >= NOW() - INTERVAL :wait_s SECOND THEN trx_started END),
           SUM(CASE WHEN trx_started < NOW() - INTERVAL :wait_s SECOND THEN 1 ELSE 0 END)
    FROM information_schema.innodb_trx
    WHERE trx_mysql_thread_id <> CONNECTION_ID()
    """
)
_NO_PRIVILEGE = 1227


@dataclass(frozen=True, slots=True)
class Horizon:
    value: Any
    """Bound as `:horizon`: rows whose timestamp is not below it wait for a later poll."""
    held_since: datetime | None = None
    """The start of an open transaction the horizon waits for (PostgreSQL)."""
    over_wait: int = 0
    """Open transactions older than `long_transaction_wait_s`, no longer waited for."""
    hidden_writers: int = 0
    """Transactions whose start this role may not see (PostgreSQL without pg_read_all_stats,
    MySQL without PROCESS): only `delay_s` protects their rows."""


class PollDialect:
    name = "generic"

    def horizon(self, conn: Connection, options: PollingOptions) -> Horizon:
        raise NotImplementedError

    def timestamp_of(self, raw: Any) -> datetime:
        if not isinstance(raw, datetime):
            raise ConfigurationError(f"timestamp column holds {raw!r}, not a date and time")
        return raw

    def bind(self, ts: datetime) -> Any:
        return ts


class _Postgres(PollDialect):
    name = "postgresql"

    def horizon(self, conn: Connection, options: PollingOptions) -> Horizon:
        params = {"delay_s": options.delay_s, "wait_s": options.long_transaction_wait_s}
        row = conn.execute(_POSTGRES_HORIZON, params).one()
        value, oldest = row.horizon, row.oldest_open
        held = oldest if oldest is not None and oldest < value else None
        return Horizon(held or value, held, row.over_wait, row.hidden_writers)


class _Sqlite(PollDialect):
    name = "sqlite"

    def horizon(self, conn: Connection, options: PollingOptions) -> Horizon:
        # 'now' is UTC; a shorter fraction than the stored six digits only makes it stricter.
        return Horizon(
            conn.execute(_SQLITE_HORIZON, {"shift": f"-{options.delay_s} seconds"}).one()[0]
        )

    def timestamp_of(self, raw: Any) -> datetime:
        if isinstance(raw, str) and _SQLITE_STAMP.match(raw):
            return datetime.strptime(raw, _SQLITE_FORMAT)
        raise ConfigurationError(
            f"SQLite timestamp {raw!r} is not stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC), the "
            "form SQLAlchemy writes; other forms do not compare correctly as text"
        )

    def bind(self, ts: datetime) -> Any:
        return ts.strftime(_SQLITE_FORMAT)


class _Mysql(PollDialect):
    name = "mysql"

    def __init__(self) -> None:
        self._sees_transactions = True

    def horizon(self, conn: Connection, options: PollingOptions) -> Horizon:
        delay_us = round(options.delay_s * 1_000_000)
        value = conn.execute(_MYSQL_HORIZON, {"delay_us": delay_us}).scalar_one()
        if not self._sees_transactions:
            return Horizon(value, hidden_writers=1)
        try:
            oldest, over_wait = conn.execute(
                _INNODB_OPEN, {"wait_s": options.long_transaction_wait_s}
            ).one()
        except DBAPIError as exc:
            if _error_code(exc) != _NO_PRIVILEGE:
                raise
            self._sees_transactions = False
            return Horizon(value, hidden_writers=1)
        held = oldest if oldest is not None and oldest < value else None
        return Horizon(held or value, held, int(over_wait or 0))


_DIALECTS: dict[str, type[PollDialect]] = {
    "postgresql": _Postgres,
    "sqlite": _Sqlite,
    "mysql": _Mysql,
    "mariadb": _Mysql,
}


def _error_code(error: DBAPIError) -> Any:
    args = getattr(error.orig, "args", ())
    return args[0] if args else None


def dialect_for(name: str) -> PollDialect:
    kind = _DIALECTS.get(name)
    if kind is None:
        known = ", ".join(sorted(_DIALECTS))
        raise ConfigurationError(f"polling does not support {name} databases (known: {known})")
    return kind()
