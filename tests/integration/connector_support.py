"""What the tests of the database-reading connector kinds share: a MariaDB database of their
own, and a department system's writes, one transaction per change as its application commits."""

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

import pytest
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import make_url

__all__ = ["fresh_mariadb_database", "write_in_transactions"]

_Item = TypeVar("_Item")


def fresh_mariadb_database() -> Iterator[str]:
    """Yields the URL of a new, empty MariaDB database, dropped afterwards (for a fixture)."""
    admin = os.environ.get("LIENTHONG_TEST_MYSQL_DSN")
    if not admin:
        pytest.skip(
            "LIENTHONG_TEST_MYSQL_DSN not set: no MariaDB to test against "
            "(eval $(bash tests/support/ensure_mariadb.sh))"
        )
    name = f"lt_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        engine.dispose()


async def write_in_transactions(
    engine: Engine, items: Sequence[_Item], write: Callable[[Connection, _Item], None]
) -> None:
    """`write` each item in a transaction of its own, in order, off the event loop."""

    def write_all() -> None:
        for item in items:
            with engine.begin() as conn:
                write(conn, item)

    await asyncio.to_thread(write_all)
