"""The `outbox` kind: rows a department commits to its outbox table become change events.

The department writes each change and its outbox row in one transaction. The connector reads
the table in id order (PostgreSQL, MariaDB/MySQL with InnoDB, SQLite), routes each row by its
aggregate type to a domain, keys the event by its aggregate id, and takes the event id from the
row (or derives a stable one from agency, system and row id). Its position is the id of the
last row published.

Delivery guarantee: exactly once for consumers reading with `isolation_level=read_committed`.
The events of a batch and the position after it commit in one Kafka transaction; a restarted
connector resumes after the last committed position and a re-read row keeps its event id.
The reader never moves past an id a still-open transaction may yet commit (connectors.outbox
.gaps), so no committed row is skipped. `read_uncommitted` consumers may also see the records
of aborted transactions: at least once for them.

Order: rows of one aggregate id share a key, so their events keep outbox (id) order in one
partition. Across aggregates, order is per partition only.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from connectors.contract import Source, SourceItem
from connectors.outbox.database import check_outbox, outbox_engine, shown
from connectors.outbox.items import OutboxItems
from connectors.outbox.options import OutboxOptions
from connectors.outbox.reader import OutboxReader
from connectors.spec import ConnectorSpec
from connectors.waiting import sleep_unless
from lienthong.errors import ConfigurationError, RetriableError
from lienthong.settings import Settings

__all__ = ["OutboxSource"]

_T = TypeVar("_T")


class OutboxSource(Source):
    kind = "outbox"
    Options = OutboxOptions

    def __init__(self, spec: ConnectorSpec, settings: Settings) -> None:
        super().__init__(spec, settings)
        self.options: OutboxOptions
        unwritten = sorted({d for d in self.options.routes.values() if d not in self.domains})
        if unwritten:
            raise ConfigurationError(
                f"connector {spec.name}: routes lead to {', '.join(unwritten)}, "
                "which is not among its domains"
            )
        self._items = OutboxItems(spec, self.options)
        self._engine: Engine | None = None

    async def prepare(self) -> None:
        engine = self._connected()
        await self._blocking(check_outbox, engine, self.options)

    async def read(self, after: str | None, stop: asyncio.Event) -> AsyncIterator[SourceItem]:
        position = _outbox_id(self.name, after)
        reader = OutboxReader(self._connected(), self.options)
        newest = await self._blocking(reader.newest_id)
        if newest is not None and position > newest:
            raise ConfigurationError(
                f"connector {self.name} stopped after outbox id {position}, but the newest row "
                f"is {newest}: the database was replaced or restored. Forget the connector's "
                "position (`lienthong connect forget`) to publish its outbox from the start."
            )
        while not stop.is_set():
            read = await self._blocking(self._items_after, reader, position)
            if not read:
                await sleep_unless(stop, self.options.poll_interval_s)
                continue
            for outbox_id, item in read:
                if stop.is_set():
                    return
                yield item
                position = outbox_id

    def _items_after(self, reader: OutboxReader, position: int) -> list[tuple[int, SourceItem]]:
        """In a worker thread: the next rows, read and already turned into items."""
        rows = reader.read_after(position, self.spec.batch_size)
        return [(row.id, self._items.item(row)) for row in rows]

    async def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _connected(self) -> Engine:
        if self._engine is None:
            self._engine = outbox_engine(self.options.dsn)
        return self._engine

    async def _blocking(self, call: Callable[..., _T], *args: object) -> _T:
        """Runs a database call in a worker thread; a database that fails is retried later."""
        try:
            return await asyncio.to_thread(call, *args)
        except DBAPIError as exc:
            where = shown(self._connected().url)
            raise RetriableError(f"outbox database {where}: {exc.orig}") from exc


def _outbox_id(name: str, position: str | None) -> int:
    if position is None:
        return 0
    try:
        return int(position)
    except ValueError:
        raise ConfigurationError(
            f"connector {name}'s stored position {position!r} is not an outbox id"
        ) from None
