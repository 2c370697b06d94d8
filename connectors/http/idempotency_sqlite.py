"""Idempotency keys in a local SQLite file: for a single API process (the default)."""

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Final, TypeVar

from connectors.http.idempotency import IdempotencyStore, StoredAnswer
from connectors.http.idempotency_sql import IdempotencySql, remembered_row
from lienthong.errors import RetriableError

__all__ = ["SqliteIdempotencyStore"]

_T = TypeVar("_T")

_SQL: Final = IdempotencySql.for_database("?", "expires_at_ms", "INTEGER")


class SqliteIdempotencyStore(IdempotencyStore):
    def __init__(self, path: Path, connector: str) -> None:
        self.path = path
        self._connector = connector
        self._connection: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        def create() -> sqlite3.Connection:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(_SQL.schema)
            connection.execute(_SQL.expiry_index)
            return connection

        self._connection = await asyncio.to_thread(create)

    async def find(self, agency: str, key: str, now: datetime) -> StoredAnswer | None:
        def select(connection: sqlite3.Connection) -> StoredAnswer | None:
            row = connection.execute(_SQL.find, (self._connector, agency, key, _ms(now))).fetchone()
            return None if row is None else StoredAnswer(row[0], int(row[1]), row[2])

        return await self._run(select)

    async def remember(
        self, agency: str, key: str, answer: StoredAnswer, *, now: datetime, expires_at: datetime
    ) -> None:
        def insert(connection: sqlite3.Connection) -> None:
            row = remembered_row(self._connector, agency, key, answer, _ms(expires_at), _ms(now))
            connection.execute(_SQL.remember, row)

        await self._run(insert)

    async def forget_expired(self, now: datetime) -> int:
        def delete(connection: sqlite3.Connection) -> int:
            cursor = connection.execute(_SQL.forget_expired, (_ms(now),))
            return cursor.rowcount

        return await self._run(delete)

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await asyncio.to_thread(connection.close)

    async def _run(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        connection = self._connection
        if connection is None:
            raise RetriableError("the idempotency store is not open")
        async with self._lock:  # one connection: one statement at a time
            try:
                return await asyncio.to_thread(work, connection)
            except sqlite3.Error as exc:
                raise RetriableError(f"idempotency store {self.path}: {exc}") from exc


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
