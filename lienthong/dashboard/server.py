"""Runs the dashboard: the web application on its address and the sampler beside it."""

import asyncio
import errno
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import structlog
from aiohttp import web

from lienthong.dashboard.app import build_app
from lienthong.dashboard.exporter import BusCollector
from lienthong.dashboard.history import History
from lienthong.dashboard.sampler import Sampler
from lienthong.errors import ConfigurationError
from lienthong.health import process_registry
from lienthong.settings import Settings

__all__ = ["DashboardPortTakenError", "running_dashboard"]

log = structlog.get_logger(__name__)


class DashboardPortTakenError(ConfigurationError):
    """Another process listens on the dashboard's address."""


@asynccontextmanager
async def running_dashboard(settings: Settings, host: str, port: int) -> AsyncIterator[str]:
    """Serve the dashboard for the duration of the block; yields its URL. Kafka being down
    is no reason not to serve: the page shows it, and the sampler keeps retrying."""
    history = History(settings.dashboard.history_points)
    sampler = Sampler(settings, history)
    registry = process_registry()
    registry.register(BusCollector(lambda: sampler.state))
    runner = web.AppRunner(
        build_app(settings, lambda: sampler.state, history, registry), access_log=None
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        if exc.errno == errno.EADDRINUSE:
            raise DashboardPortTakenError(
                f"port {port} on {host} is taken by another process"
            ) from exc
        raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    bound_host, bound_port = runner.addresses[0][:2]
    url = f"http://{bound_host}:{bound_port}/"
    stop = asyncio.Event()
    sampling = asyncio.create_task(sampler.run(stop), name="dashboard-sampler")
    log.info("dashboard.serving", url=url, bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        yield url
    finally:
        stop.set()
        # A sample under way may wait on a broker that does not answer; do not wait for it.
        sampling.cancel()
        with suppress(asyncio.CancelledError):
            await sampling
        await runner.cleanup()
        log.info("dashboard.stopped", url=url)
