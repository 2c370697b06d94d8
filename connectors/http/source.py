"""The `http` kind: department systems push their changes to a small JSON (and edXML) API.

The server starts in `prepare` and lives until `close`, across the runner's retries; requests
are accepted only while a `read` is under way (`connectors.http.intake`).
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import structlog
from aiohttp import web

from connectors.contract import Source, SourceItem
from connectors.http.app import create_app
from connectors.http.auth import Gatekeeper
from connectors.http.checking import ChangeChecker
from connectors.http.context import ApiContext
from connectors.http.delivery import Delivery
from connectors.http.idempotency import IdempotencyStore
from connectors.http.idempotency_postgres import PostgresIdempotencyStore
from connectors.http.idempotency_sqlite import SqliteIdempotencyStore
from connectors.http.intake import Intake, Submission
from connectors.http.openapi import openapi_document
from connectors.http.options import HttpOptions
from connectors.spec import ConnectorSpec
from lienthong.errors import ConfigurationError, RetriableError
from lienthong.settings import Settings

__all__ = ["HttpPushSource"]

log = structlog.get_logger(__name__)

_SHUTDOWN_S = 5.0


class HttpPushSource(Source):
    """Changes pushed over HTTP, each answered 202 with its event id only once the Kafka
    transaction holding it committed; any other answer (or none) means: send it again.

    Delivery: a retry is safe. With an `Idempotency-Key`, a request already answered 202 gets
    the same answer and publishes nothing (per agency, for `idempotency_ttl_h`). Without one, or
    when the key could not be stored, the retry publishes the same event ids again (derived
    from the key, or from agency, system, domain, key, version and operation), which the centre
    stores once: at least once on the topic, exactly once at the centre. Nothing is kept
    across a restart: what was not answered 202 is the caller's to resend, so no position is
    stored.
    """

    kind = "http"
    Options = HttpOptions
    options: HttpOptions

    def __init__(self, spec: ConnectorSpec, settings: Settings) -> None:
        super().__init__(spec, settings)
        for credential in self.options.credentials:
            for domain in credential.domains:
                if domain.value not in spec.domains:
                    raise ConfigurationError(
                        f"connector {spec.name}: credential of {credential.agency} names "
                        f"{domain.value}, which the connector does not write"
                    )
        self.intake = Intake()
        self._store: IdempotencyStore | None = None
        self._delivery: Delivery | None = None
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """Where the API listens, once `prepare` has started it."""
        if self._url is None:
            raise RuntimeError("the API is not listening yet: await prepare() first")
        return self._url

    async def prepare(self) -> None:
        """Open the idempotency store and start listening, once (later sessions reuse both)."""
        if self._runner is not None:
            return
        options = self.options
        store = self._open_store()
        await store.open()
        self._store = store
        self._delivery = Delivery(
            self.intake,
            store,
            ttl=timedelta(hours=options.idempotency_ttl_h),
            ack_timeout_s=options.ack_timeout_s,
        )
        context = ApiContext(
            spec=self.spec,
            options=options,
            gatekeeper=Gatekeeper(
                options.credentials,
                rate_limit=options.rate_limit,
                signature_window_s=options.signature_window_s,
            ),
            checker=await ChangeChecker.create(self.spec, self.settings.topics, self.domains),
            intake=self.intake,
            delivery=self._delivery,
            openapi=openapi_document(self.spec, options),
            clock=lambda: datetime.now(UTC),
        )
        runner = web.AppRunner(create_app(context), access_log=None, shutdown_timeout=_SHUTDOWN_S)
        await runner.setup()
        site = web.TCPSite(runner, options.host, options.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise ConfigurationError(
                f"connector {self.name} cannot listen on {options.host}:{options.port}: "
                f"{exc.strerror or exc}"
            ) from exc
        self._runner = runner
        host, port = _bound(runner)
        self._url = f"http://{host}:{port}"
        log.info("push API listening", connector=self.name, url=self._url)

    async def read(self, after: str | None, stop: asyncio.Event) -> AsyncIterator[SourceItem]:
        self.intake.open(stop)
        try:
            while (submission := await self.intake.take(stop)) is not None:
                for index, change in enumerate(submission.changes):
                    try:
                        yield change
                    except BaseException:  # the runner let go mid-request: answer the rest
                        rest = submission.changes[index + 1 :]
                        Submission(rest).fail(RetriableError("the connector stopped reading"))
                        raise
        finally:
            self.intake.close()

    async def close(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        if self._delivery is not None:
            await self._delivery.close()
        store, self._store = self._store, None
        if store is not None:
            await store.close()

    def _open_store(self) -> IdempotencyStore:
        options = self.options
        if options.idempotency_dsn is not None:
            return PostgresIdempotencyStore(options.idempotency_dsn.get_secret_value(), self.name)
        path = options.idempotency_path or (
            self.settings.var_dir / "http" / f"{self.name}.idempotency.db"
        )
        return SqliteIdempotencyStore(path, self.name)


def _bound(runner: web.AppRunner) -> tuple[str, int]:
    """The address actually listened on (the port the system chose for port 0)."""
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return str(address[0]), int(address[1])
    raise RuntimeError("the push API listens on no TCP address")
