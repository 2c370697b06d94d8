"""The query-polling connector kind, for department databases that cannot add an outbox.

It reads rows by (timestamp, incrementing id), like Kafka Connect's JDBC source in
timestamp+incrementing mode, without that mode's known misses:

- Rows sharing a timestamp across a page boundary: the position is the pair (timestamp, id)
  and the next page starts strictly after it, so none is skipped.
- Rows committed late with an older timestamp: only rows older than `delay_s` by the
  database's clock are read; on PostgreSQL and MySQL the horizon also stays before the start
  of every transaction still open in the database (up to `long_transaction_wait_s`), because
  such a transaction's rows may carry a timestamp from its start.
- Clocks and zones: the horizon is computed by the database, never by this process.
- Deletes: a soft-delete column (`deleted_column`) turns the row into a DELETE event.

Delivery guarantee: at least once from the source. The stored position only moves in the
Kafka transaction that publishes the rows before it, so a crash re-reads rows, never skips
them; a re-read row keeps its version and so its event id, and the centre applies each state
of an entity once. Polling sees states, not changes: several updates of a row between two
polls arrive as one UPDATE with the newest state (`coalesces`). A row seen for the first time
is an UPDATE too (polling cannot tell a new row from a changed one; the centre upserts).

Still unsafe, by design of polling: hard deletes (use log-based capture or `lienthong
reconcile`); a change that does not move the timestamp; a timestamp set by an application
clock more than `delay_s` behind the database's; transactions that commit more than `delay_s`
after their timestamp on SQLite, where the connector cannot see them, and on PostgreSQL and
MySQL when its role may not (grant pg_read_all_stats, or PROCESS) or once they have been open
longer than `long_transaction_wait_s`.
"""

import asyncio
from collections.abc import AsyncIterator

import structlog
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError, NotSupportedError, ProgrammingError

from connectors.contract import Domain, Source, SourceItem
from connectors.polling.database import polling_engine
from connectors.polling.dialects import Horizon, dialect_for
from connectors.polling.entity import entity_shape
from connectors.polling.options import PollingOptions
from connectors.polling.position import PollPosition
from connectors.polling.query import Page, PollingQuery
from connectors.polling.rows import RowMapper
from connectors.spec import ConnectorSpec
from connectors.waiting import sleep_unless
from lienthong.errors import ConfigurationError, RetriableError
from lienthong.settings import Settings

__all__ = ["PollingSource"]

log = structlog.get_logger(__name__)


class PollingSource(Source):
    kind = "polling"
    Options = PollingOptions

    def __init__(self, spec: ConnectorSpec, settings: Settings) -> None:
        super().__init__(spec, settings)
        self.options: PollingOptions
        if self.options.domain.value not in spec.domains:
            raise ConfigurationError(
                f"connector {spec.name}: polling domain {self.options.domain} is not one of "
                f"its domains ({', '.join(spec.domains)})"
            )
        self._engine: Engine | None = None
        self._query: PollingQuery | None = None
        self._warned: set[str] = set()
        self.polls = 0
        """Pages read so far: tests and operators see the connector is alive."""

    @property
    def domains(self) -> tuple[Domain, ...]:
        return (self.options.domain,)

    async def prepare(self) -> None:
        if self._engine is not None:
            return
        engine = polling_engine(self.options.dsn.get_secret_value())
        dialect = dialect_for(engine.dialect.name)
        mapper = RowMapper(
            self.options.domain,
            self.options,
            entity_shape(self.options.domain),
            dialect.timestamp_of,
        )
        quote = engine.dialect.identifier_preparer.quote
        self._query = PollingQuery(self.options, dialect, mapper, quote, self.spec.batch_size)
        self._engine = engine

    async def read(self, after: str | None, stop: asyncio.Event) -> AsyncIterator[SourceItem]:
        await self.prepare()
        position = None if after is None else PollPosition.from_text(after)
        while not stop.is_set():
            page = await asyncio.to_thread(self._page, position)
            self.polls += 1
            self._note(page.horizon)
            for item in page.items:
                yield item
            if page.last is not None:
                position = page.last
            if len(page.items) < self.spec.batch_size:
                await sleep_unless(stop, self.options.poll_interval_s)

    async def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        self._engine, self._query = None, None

    def _page(self, after: PollPosition | None) -> Page:
        assert self._engine is not None and self._query is not None
        try:
            with self._engine.connect() as conn:
                return self._query.page(conn, after)
        except (ProgrammingError, DataError, NotSupportedError) as exc:
            raise ConfigurationError(
                f"connector {self.name}: the polling query failed: {exc.orig}"
            ) from exc
        except DBAPIError as exc:
            # A database that is down, restarting or locked: read again after a pause.
            raise RetriableError(
                f"connector {self.name}: database unavailable: {exc.orig}"
            ) from exc

    def _note(self, horizon: Horizon) -> None:
        if horizon.over_wait:
            self._warn_once(
                "over_wait",
                "a transaction has been open longer than long_transaction_wait_s; rows it "
                "writes with an older timestamp may be missed",
                horizon.over_wait,
            )
        if horizon.hidden_writers:
            self._warn_once(
                "hidden",
                "cannot see when other sessions' transactions started, so only delay_s "
                "covers long ones; grant pg_read_all_stats (PostgreSQL) or PROCESS (MySQL)",
                horizon.hidden_writers,
            )

    def _warn_once(self, reason: str, message: str, transactions: int) -> None:
        if reason not in self._warned:
            self._warned.add(reason)
            log.warning(message, connector=self.name, transactions=transactions)
