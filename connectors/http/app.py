"""The aiohttp application: routes, the context handlers share, and the one place errors
become HTTP answers."""

import uuid

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler

from connectors.http import edxml_route, handlers
from connectors.http.answers import Health
from connectors.http.context import ACCEPTED_SIGNATURE, CONTEXT, REQUEST_ID, ApiContext
from connectors.http.problems import ApiProblem, json_response, problem_response

__all__ = ["create_app"]

log = structlog.get_logger(__name__)


def create_app(context: ApiContext) -> web.Application:
    app = web.Application(middlewares=[_problems], client_max_size=context.options.max_body_bytes)
    app[CONTEXT] = context
    app.router.add_get("/health", _health)
    app.router.add_get("/openapi.json", _openapi)
    app.router.add_post("/v1/edxml", edxml_route.post_edxml)
    app.router.add_post("/v1/{domain}/changes", handlers.post_change)
    app.router.add_post("/v1/{domain}/changes:batch", handlers.post_batch)
    return app


@web.middleware
async def _problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    request_id = _request_id(request.headers.get(REQUEST_ID))
    if request.headers.get(REQUEST_ID) != request_id:
        request = request.clone(headers={**request.headers, REQUEST_ID: request_id})
    try:
        response = await handler(request)
    except ApiProblem as problem:
        response = problem_response(problem)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = problem_response(ApiProblem(exc.status, exc.reason))
    except Exception:
        log.exception("request failed", method=request.method, path=request.path)
        response = problem_response(ApiProblem(500, "the request could not be handled"))
    response.headers[REQUEST_ID] = request_id
    if response.status >= 400 and (signature := request.get(ACCEPTED_SIGNATURE)) is not None:
        # refused after its signature was accepted: sending it again is a retry, not a replay
        request.app[CONTEXT].gatekeeper.forget(signature)
    if response.status >= 400:
        log.info(
            "request refused",
            method=request.method,
            path=request.path,
            status=response.status,
            request_id=request_id,
        )
    return response


def _request_id(given: str | None) -> str:
    """The caller's request id when it is a sensible token, else a fresh one."""
    if given and len(given) <= 100 and given.isascii() and given.isprintable():
        return given
    return str(uuid.uuid4())


async def _health(request: web.Request) -> web.Response:
    """200 while changes are accepted; 503 while the connector starts, retries or stops."""
    context = request.app[CONTEXT]
    accepting = context.intake.accepting
    body = Health(connector=context.spec.name, accepting=accepting)
    return json_response(body.model_dump(), 200 if accepting else 503)


async def _openapi(request: web.Request) -> web.Response:
    return json_response(request.app[CONTEXT].openapi)
