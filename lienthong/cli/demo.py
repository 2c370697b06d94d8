"""`lienthong demo`: the main command, the whole bus on the embedded defaults."""

import asyncio
import signal
from typing import Annotated

import typer
from rich.console import Console

from lienthong.cli.errors import exit_on_error, fail
from lienthong.demo import DemoPlan, DemoResult, run_demo
from lienthong.demo.connectors_file import demo_connectors_path
from lienthong.demo.dashboard import dashboard_url
from lienthong.demo.progress import LinePrinter, LivePanel, summary_line
from lienthong.logs import configure_logging
from lienthong.settings import LogSettings, Settings

__all__ = ["demo"]


def demo(
    duration: Annotated[
        float | None, typer.Option(help="Stop simulating after this many seconds.", min=1)
    ] = None,
    events: Annotated[
        int | None,
        typer.Option(help="Stop simulating after this many changes in each department.", min=1),
    ] = None,
    rate: Annotated[
        float, typer.Option(help="Simulated changes per second, in each department.", min=0.1)
    ] = 50.0,
    seed: Annotated[int, typer.Option(help="Seed of the simulators, for repeatable runs.")] = 2025,
    drain_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the centre to catch up at the end.", min=1)
    ] = 120.0,
    keep_kafka: Annotated[
        bool, typer.Option("--keep-kafka", help="Leave the broker running afterwards.")
    ] = False,
    dashboard_port: Annotated[
        int | None,
        typer.Option(
            help="Port of the operators' dashboard (default: LIENTHONG_DASHBOARD__PORT or 8090).",
            min=1,
            max=65535,
        ),
    ] = None,
    no_dashboard: Annotated[
        bool, typer.Option("--no-dashboard", help="Do not serve the operators' dashboard.")
    ] = False,
) -> None:
    """Run Kafka, three simulated departments (one-stop-shop, e-documents, land register),
    their connectors, the stream worker and the operators' web dashboard, with live progress,
    until Ctrl-C or the --duration/--events bound; then drain and check that the centre
    equals each source."""
    console = Console()
    with exit_on_error():
        settings = Settings()
        log_file = settings.var_dir / "logs" / "demo.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        # The panel owns the terminal; the demo's own logs go to a file.
        with log_file.open("a", encoding="utf-8") as log_stream:
            configure_logging(LogSettings(level=settings.log.level, json_lines=True), log_stream)
            port = None if no_dashboard else dashboard_port or settings.dashboard.port
            plan = DemoPlan(
                duration,
                events,
                rate,
                seed,
                drain_timeout,
                keep_kafka=keep_kafka,
                dashboard_port=port,
            )
            console.print(
                f"Starting the bus (Kafka, three departments, the connectors of "
                f"{demo_connectors_path()}, the stream worker); logs in "
                f"{settings.var_dir / 'logs'}. Ctrl-C stops it.",
                highlight=False,
                soft_wrap=True,
            )
            if port is not None:
                console.print(
                    f"Dashboard: {dashboard_url(settings, port)} (as soon as Kafka is up)",
                    highlight=False,
                    soft_wrap=True,
                )
            result = asyncio.run(_run(settings, plan, console))
    _report(console, result)


async def _run(settings: Settings, plan: DemoPlan, console: Console) -> DemoResult:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    display = LivePanel(console) if console.is_terminal else LinePrinter(console)
    with display:
        return await run_demo(
            settings,
            plan,
            display,
            stop,
            notify=lambda line: console.print(line, markup=False, highlight=False),
        )


def _report(console: Console, result: DemoResult) -> None:
    final = result.final
    console.print(summary_line(final, "stopped"), highlight=False, markup=False, soft_wrap=True)
    if result.interrupted:
        console.print("Stopped on request; everything the demo started is stopped.")
        return
    if result.drained:
        held = ", ".join(f"{d.sync.source:,} {d.sync.entities}" for d in final.departments)
        console.print(
            f"The centre equals every source: {held}; {final.published:,} events published, "
            f"{final.dead_lettered:,} dead letters.",
            style="bold green",
            soft_wrap=True,
        )
        return
    behind = ", ".join(d.title for d in final.departments if not d.sync.in_sync)
    fail(f"the centre did not catch up with {behind} before the drain timeout", 1)
