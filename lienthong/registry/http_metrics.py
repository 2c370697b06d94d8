"""The registry's operational view: requests by method, route template and status, how many
subjects it holds, and whether it is ready (the schemas topic read to its end)."""

import asyncio
from typing import Final, Protocol

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from prometheus_client import CollectorRegistry, Counter, Gauge

from lienthong.health import process_registry
from lienthong.registry.state import RegistryState

__all__ = ["OPERATIONAL_PATHS", "UNMATCHED_ROUTE", "ObservedStore", "RegistryMetrics"]

OPERATIONAL_PATHS: Final = frozenset({"/metrics", "/livez", "/readyz"})
UNMATCHED_ROUTE: Final = "unmatched"
"""The route label of a request no route matched: a label per raw path would be unbounded."""


class ObservedStore(Protocol):
    """What the metrics read of the registry's store (lienthong.registry.store.SchemaStore)."""

    @property
    def state(self) -> RegistryState: ...

    @property
    def ready(self) -> bool: ...

    @property
    def failure(self) -> str | None: ...


class RegistryMetrics:
    def __init__(self, store: ObservedStore) -> None:
        self.store = store
        self.registry: CollectorRegistry = process_registry()
        self.requests = Counter(
            "lienthong_registry_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        subjects = Gauge(
            "lienthong_registry_subjects",
            "Subjects with at least one version that is not deleted.",
            registry=self.registry,
        )
        subjects.set_function(lambda: len(store.state.subjects()))
        ready = Gauge(
            "lienthong_registry_ready",
            "1 once the schemas topic was read to its end and is still followed.",
            registry=self.registry,
        )
        ready.set_function(lambda: 1.0 if store.ready else 0.0)

    async def readiness(self) -> str | None:
        if self.store.ready:
            return None
        return self.store.failure or "the schemas topic is not read to its end yet"

    def middleware(self) -> Middleware:
        """Counts every request by its answer; goes first, so it sees the final status."""

        @web.middleware
        async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
            route = _route_template(request)
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                self._count(request, route, exc.status)
                raise
            except asyncio.CancelledError:
                raise  # the client went away: nothing was answered
            except Exception:
                self._count(request, route, 500)
                raise
            self._count(request, route, response.status)
            return response

        return count_requests

    def _count(self, request: web.Request, route: str, status: int) -> None:
        self.requests.labels(request.method, route, str(status)).inc()


def _route_template(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return UNMATCHED_ROUTE if resource is None else resource.canonical
