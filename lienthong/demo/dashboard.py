"""The operators' dashboard beside the demo, in the demo's own process."""

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

import structlog

from lienthong.dashboard import running_dashboard
from lienthong.errors import ConfigurationError
from lienthong.settings import Settings

__all__ = ["dashboard_beside", "dashboard_url"]

log = structlog.get_logger(__name__)


def dashboard_url(settings: Settings, port: int) -> str:
    return f"http://{settings.dashboard.host}:{port}/"


@asynccontextmanager
async def dashboard_beside(
    settings: Settings, port: int | None, notify: Callable[[str], None]
) -> AsyncIterator[None]:
    """Serve the dashboard of the demo's bus on `port` (None: no dashboard) for the block.
    A port already taken costs the demo its dashboard, not its run: `notify` says so."""
    async with AsyncExitStack() as stack:
        if port is not None:
            try:
                url = await stack.enter_async_context(
                    running_dashboard(settings, settings.dashboard.host, port)
                )
            except ConfigurationError as exc:
                log.warning("demo.dashboard_not_started", reason=str(exc))
                notify(f"The dashboard did not start: {exc}; --dashboard-port chooses another.")
            else:
                log.info("demo.dashboard_started", url=url)
        yield
