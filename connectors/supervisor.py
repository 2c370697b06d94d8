"""Runs every connector of a connectors.yaml in one process, side by side.

A connector whose source or Kafka is down retries on its own; one that cannot go on
(a configuration error, a fenced transactional id) stops all the others, so the process
exits with that error instead of running half its connectors unnoticed.

Beside them, the process reports their states on the status topic and applies operators'
requests from the control topic (connectors/control.py), as a Kafka Connect worker does.
"""

import asyncio
from collections.abc import Sequence

import structlog
from aiohttp import web

from connectors.control_follower import ControlFollower
from connectors.control_reporter import StatusReporter
from connectors.metrics import metrics_app
from connectors.runner import ConnectorRunner

__all__ = ["run_connectors"]

log = structlog.get_logger(__name__)


async def run_connectors(
    runners: Sequence[ConnectorRunner],
    stop: asyncio.Event,
    *,
    metrics_port: int | None = None,
    metrics_host: str = "127.0.0.1",
    progress_every_s: float = 30.0,
) -> None:
    if not runners:
        return
    settings = runners[0].settings
    site_runner = await _serve_metrics(runners, metrics_host, metrics_port)
    reporter = StatusReporter(settings, runners)
    follower = ControlFollower(settings, runners)
    beside = [
        asyncio.create_task(follower.follow_until_cancelled(), name="connector requests"),
        asyncio.create_task(reporter.report_until_cancelled(), name="connector states"),
        asyncio.create_task(_report_progress(runners, progress_every_s)),
    ]
    tasks = [asyncio.create_task(runner.run(stop), name=runner.name) for runner in runners]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        failed = [task for task in done if not task.cancelled() and task.exception()]
        if failed:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            error = failed[0].exception()
            assert error is not None
            raise error
    finally:
        for task in (*beside, *tasks):
            task.cancel()
        await asyncio.gather(*beside, *tasks, return_exceptions=True)
        await reporter.report_final()
        if site_runner is not None:
            await site_runner.cleanup()


async def _serve_metrics(
    runners: Sequence[ConnectorRunner], host: str, port: int | None
) -> web.AppRunner | None:
    if port is None:
        return None
    site_runner = web.AppRunner(metrics_app(runners))
    await site_runner.setup()
    await web.TCPSite(site_runner, host, port).start()
    log.info("connector metrics served", url=f"http://{host}:{port}/metrics")
    return site_runner


async def _report_progress(runners: Sequence[ConnectorRunner], every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        for runner in runners:
            stats = runner.stats
            log.info(
                "connector progress",
                connector=runner.name,
                published=stats.published,
                dead_lettered=stats.dead_lettered,
                position=stats.position,
            )
