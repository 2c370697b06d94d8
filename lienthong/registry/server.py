"""The registry as a service in the current event loop: for `lienthong registry serve`, for
`lienthong demo` (which runs it beside the bus) and for tests.

    async with running_registry(settings) as url:   # ready: the topic was read to its end
        ...                                          # Confluent clients use `url`
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

import structlog
from aiohttp import web

from lienthong.errors import ConfigurationError
from lienthong.registry.compatibility import CompatibilityLevel, parse_level
from lienthong.registry.errors import InvalidCompatibilityLevelError, RegistryStoreError
from lienthong.registry.http_app import create_app
from lienthong.registry.http_io import RegistryContext
from lienthong.registry.store import SchemaStore
from lienthong.settings import Settings

__all__ = ["RegistryServer", "running_registry", "serve_registry"]

log = structlog.get_logger(__name__)

_WILDCARD_HOSTS: Final = frozenset({"", "0.0.0.0", "::", "[::]"})


class RegistryServer:
    """Listens on `settings.registry.host:port`; `start` returns once it is ready."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._store = SchemaStore(settings)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        registry = self._settings.registry
        host = "127.0.0.1" if registry.host in _WILDCARD_HOSTS else registry.host
        return f"http://{host}:{registry.port}"

    async def start(self) -> str:
        """Create the topic if needed, listen, read the topic to its end; return the URL."""
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise
        log.info(
            "schema registry ready",
            url=self.url,
            topic=self._settings.registry.topic,
            subjects=len(self._store.state.subjects()),
        )
        return self.url

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        await self._store.stop()

    async def until_failed(self) -> str:
        """Wait for the registry to stop following its topic, and return why."""
        return await self._store.until_failed()

    async def _start(self) -> None:
        registry = self._settings.registry
        context = RegistryContext(self._store, _default_level(self._settings))
        await self._store.start()
        self._runner = web.AppRunner(create_app(context), access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, registry.host, registry.port).start()
        except OSError as exc:
            raise ConfigurationError(
                f"the schema registry cannot listen on {registry.host}:{registry.port}: {exc}"
            ) from exc
        await self._store.load(self._settings.kafka.request_timeout_s)


@asynccontextmanager
async def running_registry(settings: Settings) -> AsyncIterator[str]:
    """A ready registry for the duration of the block; yields its URL."""
    server = RegistryServer(settings)
    url = await server.start()
    try:
        yield url
    finally:
        await server.stop()


async def serve_registry(settings: Settings, stop: asyncio.Event) -> None:
    """Serve until `stop` is set, or raise `RegistryStoreError` once the schemas topic can no
    longer be read: the registry would never be ready again, so its supervisor must restart it."""
    server = RegistryServer(settings)
    await server.start()
    stopping = asyncio.create_task(stop.wait(), name="registry-stop")
    failing = asyncio.create_task(server.until_failed(), name="registry-failure")
    try:
        done, _ = await asyncio.wait({stopping, failing}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (stopping, failing):
            task.cancel()
        await asyncio.gather(stopping, failing, return_exceptions=True)
        await server.stop()
    if failing in done:
        raise RegistryStoreError(f"the schema registry stopped: {failing.result()}")
    log.info("schema registry stopped", topic=settings.registry.topic)


def _default_level(settings: Settings) -> CompatibilityLevel:
    try:
        return parse_level(settings.registry.default_compatibility)
    except InvalidCompatibilityLevelError as exc:
        raise ConfigurationError(
            f"LIENTHONG_REGISTRY__DEFAULT_COMPATIBILITY: {exc.message}"
        ) from exc
