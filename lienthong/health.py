"""The operational endpoints every long-running process serves beside its own routes.

- `GET /metrics`: Prometheus text from the process's own `CollectorRegistry` (plus the
  standard `process_*` and `python_*` collectors).
- `GET /livez`: 200 while the event loop answers; a hung process does not.
- `GET /readyz`: 200 when `readiness()` returns None, else 503 with its reason, so an
  orchestrator routes traffic and a test waits on the same answer an operator sees.
"""

from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

__all__ = ["Readiness", "add_operational_routes", "process_registry"]

Readiness = Callable[[], Awaitable[str | None]]
"""None when ready; otherwise why not, in a few words."""


def process_registry() -> CollectorRegistry:
    """A registry of this process's own metrics, with the standard process collectors."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


def add_operational_routes(
    app: web.Application, registry: CollectorRegistry, readiness: Readiness
) -> None:
    async def metrics(_: web.Request) -> web.Response:
        body = generate_latest(registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def live(_: web.Request) -> web.Response:
        return web.json_response({"status": "live"})

    async def ready(_: web.Request) -> web.Response:
        reason = await readiness()
        if reason is None:
            return web.json_response({"status": "ready"})
        return web.json_response({"status": "not ready", "reason": reason}, status=503)

    app.router.add_get("/metrics", metrics)
    app.router.add_get("/livez", live)
    app.router.add_get("/readyz", ready)
