"""The connector's PostgreSQL session, with the server's errors grouped by what to do next."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from psycopg import errors as pg_errors

from lienthong.errors import ConfigurationError, RetriableError

__all__ = ["PERMISSIONS", "connect", "translated_errors"]

PERMISSIONS = (
    "the role needs the REPLICATION attribute (replication slots), SELECT on the tables "
    "(snapshot), and, unless its publication exists already, CREATE on the database and "
    "ownership of the tables (CREATE PUBLICATION ... FOR TABLE)"
)

_SESSION = "-c DateStyle=ISO -c IntervalStyle=postgres -c TimeZone=UTC -c extra_float_digits=3"
"""Fixed output formats: streamed values (the server's text output) and snapshot values read
through the same loaders come out identical whatever the role's defaults are."""


@asynccontextmanager
async def translated_errors() -> AsyncIterator[None]:
    """The database down, or the slot still held by a previous session: retry later.
    Missing rights or settings: the operator has to act."""
    try:
        yield
    except pg_errors.InsufficientPrivilege as exc:
        raise ConfigurationError(f"PostgreSQL refused: {exc}; {PERMISSIONS}") from exc
    except pg_errors.UndefinedObject as exc:
        # e.g. the slot or the publication was dropped while the connector used it
        raise ConfigurationError(f"PostgreSQL: {exc}") from exc
    except (pg_errors.ObjectInUse, pg_errors.LockNotAvailable) as exc:
        raise RetriableError(f"PostgreSQL: {exc}") from exc
    except (psycopg.OperationalError, pg_errors.AdminShutdown) as exc:
        raise RetriableError(f"PostgreSQL does not answer: {exc}") from exc


async def connect(dsn: str, application_name: str) -> psycopg.AsyncConnection[tuple[object, ...]]:
    """An autocommit session: slot functions refuse to run after a transaction wrote."""
    async with translated_errors():
        connection: psycopg.AsyncConnection[tuple[object, ...]]
        connection = await psycopg.AsyncConnection.connect(
            dsn, autocommit=True, application_name=application_name, options=_SESSION
        )
        return connection
