"""`lienthong dashboard`: the operators' web dashboard, served until Ctrl-C/SIGTERM."""

import asyncio
from contextlib import AsyncExitStack
from typing import Annotated

import typer

from lienthong.cli.running import load_settings, run_until_signalled
from lienthong.dashboard import DashboardPortTakenError, running_dashboard

__all__ = ["dashboard"]


def dashboard(
    host: Annotated[
        str | None,
        typer.Option(
            help="Address to listen on (default: LIENTHONG_DASHBOARD__HOST or 127.0.0.1)."
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            help="Port to listen on (default: LIENTHONG_DASHBOARD__PORT or 8090).", min=1, max=65535
        ),
    ] = None,
) -> None:
    """Serve the operators' web dashboard until Ctrl-C/SIGTERM: freshness per source, topic
    throughput and end offsets, consumer lag, dead letters with their reasons, schemas, centre
    sync and connectors, refreshed every few seconds, and /metrics for Prometheus. If Kafka is
    down at start (or goes down later) the dashboard still serves: it shows Kafka as down with
    the last sample it took, and keeps retrying until Kafka answers. A port already taken is
    an error (exit code 2)."""
    settings = load_settings()
    chosen_host = host or settings.dashboard.host
    chosen_port = port or settings.dashboard.port

    async def serve(stop: asyncio.Event) -> None:
        async with AsyncExitStack() as stack:
            try:
                url = await stack.enter_async_context(
                    running_dashboard(settings, chosen_host, chosen_port)
                )
            except DashboardPortTakenError as exc:
                raise DashboardPortTakenError(f"{exc}; choose another with --port") from exc
            typer.echo(
                f"Dashboard at {url} (Kafka at {settings.kafka.bootstrap_servers}); "
                "Ctrl-C stops it."
            )
            await stop.wait()

    run_until_signalled(serve)
