"""The two stores of one `lienthong bench sink` run, made fresh before every run.

PostgreSQL: two schemas of their own in the given database (the centre's tables in one,
the baseline's table in the other), dropped and created again before each run, so an
existing centre in that database is never touched. SQLite: two files in a scratch folder.
"""

import shutil
import sqlite3
from enum import StrEnum
from pathlib import Path
from typing import Final

import psycopg
from pydantic import SecretStr
from sqlalchemy import make_url

from lienthong.bench.baseline_sink import Connection, Dialect, baseline_table_ddl
from lienthong.errors import ConfigurationError
from lienthong.settings import CentreSettings, Settings

__all__ = ["BenchStores", "StoreKind", "postgres_stores", "sqlite_stores"]

CENTRE_SCHEMA: Final = "lienthong_bench_centre"
BASELINE_SCHEMA: Final = "lienthong_bench_baseline"


class StoreKind(StrEnum):
    POSTGRESQL = "postgresql"
    SQLITE = "sqlite"


class BenchStores:
    """Where the centre's sink and the baseline write; `reset()` empties both."""

    def __init__(self, kind: StoreKind, *, dsn: str | None = None, folder: Path | None = None):
        self.kind = kind
        self._dsn = dsn
        self._folder = folder

    @property
    def dialect(self) -> Dialect:
        return "postgresql" if self.kind is StoreKind.POSTGRESQL else "sqlite"

    def reset(self) -> None:
        if self._dsn is not None:
            with psycopg.connect(self._dsn, autocommit=True) as conn:
                for schema in (CENTRE_SCHEMA, BASELINE_SCHEMA):
                    conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                    conn.execute(f"CREATE SCHEMA {schema}")
        elif self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder.mkdir(parents=True)

    def centre_settings(self, settings: Settings) -> Settings:
        """`settings` with the centre in this run's fresh place (open_centre creates its tables)."""
        if self._dsn is not None:
            url = make_url(self._dsn).update_query_dict({"options": _search_path(CENTRE_SCHEMA)})
            centre = CentreSettings(dsn=SecretStr(url.render_as_string(hide_password=False)))
        else:
            centre = CentreSettings(sqlite_path=self._file("centre.db"))
        return settings.model_copy(update={"centre": centre})

    def create_baseline(self) -> Connection:
        """A connection to the baseline's store, its `dossiers` table created."""
        connection = self.connect_baseline()
        if isinstance(connection, sqlite3.Connection):
            connection.execute("PRAGMA journal_mode=WAL")  # as the centre's SQLite store runs
        for statement in baseline_table_ddl(self.dialect):
            connection.execute(statement)
        connection.commit()
        return connection

    def connect_centre(self) -> Connection:
        """A plain connection to the centre's tables, to check what a run left there."""
        return self._connect(CENTRE_SCHEMA, "centre.db")

    def connect_baseline(self) -> Connection:
        return self._connect(BASELINE_SCHEMA, "baseline.db")

    def _connect(self, schema: str, file_name: str) -> Connection:
        if self._dsn is not None:
            return psycopg.connect(self._dsn, options=_search_path(schema))
        # The baseline writes from a worker thread, one at a time.
        return sqlite3.connect(self._file(file_name), check_same_thread=False)

    def _file(self, name: str) -> Path:
        if self._folder is None:
            raise ConfigurationError("a SQLite bench store needs a folder")
        return self._folder / name


def postgres_stores(dsn: str) -> BenchStores:
    """Stores in the database of `dsn` (postgresql:// or postgresql+psycopg://)."""
    url = make_url(dsn)
    if url.get_backend_name() != "postgresql":
        raise ConfigurationError(f"the sink bench needs a postgresql:// DSN, got {url.drivername}")
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return BenchStores(StoreKind.POSTGRESQL, dsn=libpq)


def sqlite_stores(folder: Path) -> BenchStores:
    return BenchStores(StoreKind.SQLITE, folder=folder)


def _search_path(schema: str) -> str:
    return f"-c search_path={schema}"
