"""The dashboard's web application: the page, its static files and the JSON it reads.

- `GET /`: the page; `GET /static/…`: its script and style sheet (nothing is fetched from
  anywhere else, so the page works on an isolated network).
- `GET /api/overview`: the latest sample with the time series (lienthong.dashboard.overview_models).
- `GET /api/dead-letters/{topic}`: the newest dead letters of one `.dlq` topic, with reasons.
- `GET /metrics`, `/livez`, `/readyz`: as every long-running process of the bus.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from aiohttp import web
from prometheus_client import CollectorRegistry
from pydantic import BaseModel

from lienthong.dashboard.dead_letters import read_newest_dead_letters
from lienthong.dashboard.history import History
from lienthong.dashboard.overview import DEAD_LETTER_SUFFIX, build_overview
from lienthong.dashboard.sample import DashboardState
from lienthong.errors import ConfigurationError, RetriableError
from lienthong.health import add_operational_routes
from lienthong.ids import TopicName
from lienthong.settings import Settings

__all__ = ["STATIC_DIR", "build_app"]

STATIC_DIR: Final = Path(__file__).parent / "static"
NO_STORE: Final = {"Cache-Control": "no-store"}


def _json(model: BaseModel, status: int = 200) -> web.Response:
    return web.Response(
        text=model.model_dump_json(),
        status=status,
        content_type="application/json",
        headers=NO_STORE,
    )


def _error(message: str, status: int) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=NO_STORE)


def build_app(
    settings: Settings,
    current: Callable[[], DashboardState],
    history: History,
    registry: CollectorRegistry,
) -> web.Application:
    """`current()` is the dashboard's state when a request comes; `registry` what /metrics shows."""

    async def page(_: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    async def overview(_: web.Request) -> web.Response:
        return _json(build_overview(settings, current(), history, datetime.now(UTC)))

    async def dead_letters(request: web.Request) -> web.Response:
        topic = TopicName(request.match_info["topic"])
        if not topic.endswith(DEAD_LETTER_SUFFIX):
            return _error(f"{topic} is not a dead-letter topic", 404)
        latest = current().latest
        known = {t.name: t for t in latest.topics} if latest else {}
        ends = known[topic].end_offsets if topic in known else {}
        try:
            listed = await read_newest_dead_letters(settings, topic, ends)
        except ConfigurationError as exc:
            return _error(str(exc), 404)
        except RetriableError as exc:
            return _error(str(exc), 503)
        return _json(listed)

    async def readiness() -> str | None:
        # Ready once the first look at the bus is done, even if Kafka was down: the page
        # then says so, which is what an operator opening it needs to see.
        return None if current().checked_at is not None else "the bus has not been sampled yet"

    app = web.Application()
    app.router.add_get("/", page)
    app.router.add_static("/static/", STATIC_DIR, append_version=False)
    app.router.add_get("/api/overview", overview)
    app.router.add_get("/api/dead-letters/{topic}", dead_letters)
    add_operational_routes(app, registry, readiness)
    return app
