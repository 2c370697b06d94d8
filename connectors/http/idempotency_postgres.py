"""Idempotency keys in PostgreSQL: replicas of one API behind a load balancer share them."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Final, TypeVar

import psycopg

from connectors.http.idempotency import IdempotencyStore, StoredAnswer
from connectors.http.idempotency_sql import IdempotencySql, remembered_row
from lienthong.errors import RetriableError

__all__ = ["PostgresIdempotencyStore"]

_T = TypeVar("_T")

_SQL: Final = IdempotencySql.for_database("%s", "expires_at", "timestamptz")


class PostgresIdempotencyStore(IdempotencyStore):
    """One connection, reopened after a failure; each statement commits on its own."""

    def __init__(self, dsn: str, connector: str) -> None:
        self._dsn = dsn
        self._connector = connector
        self._connection: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        async def create(connection: psycopg.AsyncConnection[tuple[object, ...]]) -> None:
            await connection.execute(_SQL.schema)
            await connection.execute(_SQL.expiry_index)

        await self._run(create)

    async def find(self, agency: str, key: str, now: datetime) -> StoredAnswer | None:
        async def select(
            connection: psycopg.AsyncConnection[tuple[object, ...]],
        ) -> StoredAnswer | None:
            cursor = await connection.execute(_SQL.find, (self._connector, agency, key, now))
            row = await cursor.fetchone()
            if row is None:
                return None
            return StoredAnswer(str(row[0]), int(str(row[1])), str(row[2]))

        return await self._run(select)

    async def remember(
        self, agency: str, key: str, answer: StoredAnswer, *, now: datetime, expires_at: datetime
    ) -> None:
        async def insert(connection: psycopg.AsyncConnection[tuple[object, ...]]) -> None:
            row = remembered_row(self._connector, agency, key, answer, expires_at, now)
            await connection.execute(_SQL.remember, row)

        await self._run(insert)

    async def forget_expired(self, now: datetime) -> int:
        async def delete(connection: psycopg.AsyncConnection[tuple[object, ...]]) -> int:
            cursor = await connection.execute(_SQL.forget_expired, (now,))
            return cursor.rowcount

        return await self._run(delete)

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()

    async def _run(
        self, work: Callable[[psycopg.AsyncConnection[tuple[object, ...]]], Awaitable[_T]]
    ) -> _T:
        async with self._lock:  # one connection: one statement at a time
            try:
                if self._connection is None or self._connection.closed:
                    self._connection = await psycopg.AsyncConnection.connect(
                        self._dsn, autocommit=True, connect_timeout=5
                    )
                return await work(self._connection)
            except psycopg.OperationalError as exc:
                await self.close()
                raise RetriableError(f"idempotency store unreachable: {exc}") from exc
