"""The HTTP edge: routes, readiness, and the one place registry errors become HTTP; beside
Confluent's API, /metrics, /livez and /readyz (lienthong.health).

The status is the first three digits of Confluent's error code (40401 -> 404, 42201 -> 422,
50001 -> 500), or the code itself when it has three (409, 415).
"""

from typing import Final

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler

from lienthong.health import add_operational_routes
from lienthong.registry import http_config, http_schemas, http_subjects
from lienthong.registry.errors import RegistryError, RegistryNotReadyError
from lienthong.registry.http_io import CONTEXT, RegistryContext, context_of, reply
from lienthong.registry.http_metrics import OPERATIONAL_PATHS, RegistryMetrics

__all__ = ["create_app", "error_response", "http_status"]

log = structlog.get_logger(__name__)

_ALWAYS_ANSWERED: Final = frozenset({"/_ready", "/_health", *OPERATIONAL_PATHS})


def create_app(context: RegistryContext) -> web.Application:
    metrics = RegistryMetrics(context.store)
    app = web.Application(middlewares=[metrics.middleware(), _errors_as_json, _until_ready])
    app[CONTEXT] = context
    add_operational_routes(app, metrics.registry, metrics.readiness)
    app.router.add_get("/", _root)
    app.router.add_get("/_ready", _ready)
    app.router.add_get("/_health", _health)
    app.router.add_get("/mode", _mode)
    app.router.add_get("/mode/{subject}", _mode)
    for routes in (http_subjects.routes, http_schemas.routes, http_config.routes):
        app.router.add_routes(routes)
    return app


def http_status(error: RegistryError) -> int:
    code = error.error_code
    return code // 100 if code >= 1000 else code


def error_response(error: RegistryError) -> web.Response:
    """Confluent's error body: `{"error_code": 40401, "message": "Subject 's' not found."}`."""
    return reply({"error_code": error.error_code, "message": error.message}, http_status(error))


@web.middleware
async def _errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except RegistryError as exc:
        return error_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        message = f"HTTP {exc.status} {exc.reason}"
        return reply({"error_code": exc.status, "message": message}, exc.status)
    except Exception:
        log.exception("registry request failed", method=request.method, path=request.path)
        return reply({"error_code": 50001, "message": "Internal Server Error"}, 500)


@web.middleware
async def _until_ready(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Nothing is answered from a half-read topic: 503 until the first catch-up is done."""
    store = context_of(request).store
    if not store.ready and request.path not in _ALWAYS_ANSWERED:
        raise RegistryNotReadyError(store.failure)
    return await handler(request)


async def _root(request: web.Request) -> web.Response:
    return reply({})


async def _ready(request: web.Request) -> web.Response:
    """200 once the topic was read to its end, 503 before: for probes and supervisors."""
    ready = context_of(request).store.ready
    return reply({"ready": ready}, 200 if ready else 503)


async def _health(request: web.Request) -> web.Response:
    """503 with the reason once the schemas topic is no longer followed: restart the process."""
    failure = context_of(request).store.failure
    if failure is not None:
        return reply({"alive": False, "reason": failure}, 503)
    return reply({"alive": True})


async def _mode(request: web.Request) -> web.Response:
    """Always read-write: this registry has no import or read-only mode (operator tools ask)."""
    return reply({"mode": "READWRITE"})
