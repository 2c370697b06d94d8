"""Idempotency keys in PostgreSQL: replicas of one API behind a load balancer share them."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Final, TypeVar

import psycopg

from connectors.http.idempotency import IdempotencyStore, StoredAnswer
from lienthong.errors import RetriableError

__all__ = ["PostgresIdempotencyStore"]

_T = TypeVar("_T")

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS http_idempotency (
    connector text NOT NULL,
    agency text NOT NULL,
    idempotency_key text NOT NULL,
    fingerprint text NOT NULL,
    status integer NOT NULL,
    answer text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (connector, agency, idempotency_key)
)
"""
_EXPIRY_INDEX: Final = (
    "CREATE INDEX IF NOT EXISTS http_idempotency_expiry ON http_idempotency (expires_at)"
)


class PostgresIdempotencyStore(IdempotencyStore):
    """One connection, reopened after a failure; each statement commits on its own."""

    def __init__(self, dsn: str, connector: str) -> None:
        self._dsn = dsn
        self._connector = connector
        self._connection: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        async def create(connection: psycopg.AsyncConnection[tuple[object, ...]]) -> None:
            await connection.execute(_SCHEMA)
            await connection.execute(_EXPIRY_INDEX)

        await self._run(create)

    async def find(self, agency: str, key: str, now: datetime) -> StoredAnswer | None:
        async def select(
            connection: psycopg.AsyncConnection[tuple[object, ...]],
        ) -> StoredAnswer | None:
            cursor = await connection.execute(
                "SELECT fingerprint, status, answer FROM http_idempotency"
                " WHERE connector = %s AND agency = %s AND idempotency_key = %s"
                " AND expires_at > %s",
                (self._connector, agency, key, now),
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            return StoredAnswer(str(row[0]), int(str(row[1])), str(row[2]))

        return await self._run(select)

    async def remember(
        self, agency: str, key: str, answer: StoredAnswer, *, now: datetime, expires_at: datetime
    ) -> None:
        async def insert(connection: psycopg.AsyncConnection[tuple[object, ...]]) -> None:
            await connection.execute(
                "INSERT INTO http_idempotency VALUES (%s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (connector, agency, idempotency_key) DO UPDATE SET"
                " fingerprint = excluded.fingerprint, status = excluded.status,"
                " answer = excluded.answer, expires_at = excluded.expires_at"
                " WHERE http_idempotency.expires_at <= %s",
                (
                    self._connector,
                    agency,
                    key,
                    answer.fingerprint,
                    answer.status,
                    answer.body,
                    expires_at,
                    now,
                ),
            )

        await self._run(insert)

    async def forget_expired(self, now: datetime) -> int:
        async def delete(connection: psycopg.AsyncConnection[tuple[object, ...]]) -> int:
            cursor = await connection.execute(
                "DELETE FROM http_idempotency WHERE expires_at <= %s", (now,)
            )
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
