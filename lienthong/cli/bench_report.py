"""`lienthong bench report`: every benchmark in one run, written to docs/BENCHMARKS.md."""

import asyncio
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import psycopg
import typer

from lienthong.bench import (
    FreshnessPlan,
    SinkPlan,
    postgres_stores,
    run_codec_bench,
    run_freshness_bench,
    run_sink_bench,
    sqlite_stores,
)
from lienthong.bench.connect import ConnectPlan, run_connect_bench
from lienthong.bench.machine import this_machine
from lienthong.bench.report import BenchReport, report_json, report_markdown, targets
from lienthong.bench.snapshot import SnapshotPlan, run_snapshot_bench
from lienthong.cli.errors import exit_on_error
from lienthong.devkafka import start_broker, stop_broker
from lienthong.logs import configure_logging
from lienthong.privacy import shown_dsn
from lienthong.settings import LogSettings, Settings

__all__ = ["report"]

_DEFAULT_RATES = (500.0, 2_000.0, 5_000.0)


def report(
    output: Annotated[Path, typer.Option(help="The markdown report; JSON beside it.")] = Path(
        "docs/BENCHMARKS.md"
    ),
    dsn: Annotated[
        str | None,
        typer.Option(
            help="PostgreSQL database for the sink, freshness and backfill benches (schemas of "
            "their own) [default: LIENTHONG_CENTRE__DSN; without one they run on SQLite or "
            "are skipped].",
            show_default=False,
        ),
    ] = None,
    rate: Annotated[
        list[float] | None,
        typer.Option(help="Freshness rate, repeatable [default: 500, 2000, 5000]."),
    ] = None,
    duration: Annotated[float, typer.Option(help="Seconds measured per rate.", min=1)] = 30.0,
    parcels: Annotated[int, typer.Option(help="Parcels backfilled.", min=1)] = 1_000_000,
    quick: Annotated[
        bool, typer.Option(help="Small sizes and short runs: checks the command, not speed.")
    ] = False,
) -> None:
    """Codec, publish path, centre sink, freshness at steady rates (with the worker's peak
    memory) and the land-register backfill, each beside its baseline; then the targets.

    Boots the settings' local broker when none runs (and stops it after)."""
    configure_logging(LogSettings(level="WARNING"))
    command = _shown_command(sys.argv[3:])
    with exit_on_error():
        settings = Settings()
        dsn = dsn or (settings.centre.dsn.get_secret_value() if settings.centre.dsn else None)
        rates = tuple(rate or (_DEFAULT_RATES if not quick else (200.0,)))
        if quick:
            duration, parcels = min(duration, 5.0), min(parcels, 20_000)
        result = asyncio.run(_run_all(settings, dsn, rates, duration, parcels, quick, command))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report_markdown(result), encoding="utf-8")
    output.with_name("benchmarks.json").write_text(report_json(result), encoding="utf-8")
    for target in targets(result):
        typer.echo(f"{target.name:14} {target.verdict:13} {target.measured}  ({target.wanted})")
    typer.echo(f"report written to {output}")


async def _run_all(
    settings: Settings,
    dsn: str | None,
    rates: tuple[float, ...],
    duration: float,
    parcels: int,
    quick: bool,
    command: str,
) -> BenchReport:
    skipped: list[str] = []
    typer.echo("codec ...", err=True)
    codec = await asyncio.to_thread(run_codec_bench, 2_000 if quick else 10_000, 3 if quick else 7)
    broker = await start_broker(settings)
    kafka = settings.kafka.model_copy(update={"bootstrap_servers": broker.bootstrap_servers})
    settings = settings.model_copy(update={"kafka": kafka})
    try:
        typer.echo("publish path ...", err=True)
        connect = await run_connect_bench(
            settings, ConnectPlan(records=2_000 if quick else 20_000, repeats=1 if quick else 3)
        )
        typer.echo("centre sink ...", err=True)
        stores = [sqlite_stores(settings.var_dir / "bench" / "sink")]
        if dsn is not None:
            stores.append(postgres_stores(dsn))
        else:
            skipped.append("centre sink on PostgreSQL: no database (--dsn)")
        plan = SinkPlan(2_000, 500, 500, 1, 0) if quick else SinkPlan(20_000, 5_000, 500, 3, 0)
        sink = await run_sink_bench(settings, plan, stores)
        freshness = []
        for each in rates:
            typer.echo(f"freshness at {each:g}/s ...", err=True)
            centre = None if dsn is None else postgres_stores(dsn)
            fresh = FreshnessPlan(duration, each, 2.0 if quick else 5.0, 120.0)
            freshness.append(await run_freshness_bench(settings, fresh, centre))
        snapshot = None
        if dsn is None:
            skipped.append("backfill: no PostgreSQL database (--dsn) for the land register")
        else:
            typer.echo(f"backfill of {parcels:,} parcels ...", err=True)
            snapshot = await run_snapshot_bench(settings, dsn, SnapshotPlan(parcels=parcels))
    finally:
        if not broker.already_running:
            await asyncio.to_thread(stop_broker, settings)
    return BenchReport(
        ran_at=datetime.now(UTC),
        machine=this_machine(),
        command=command,
        kafka_version=settings.dev.kafka_version,
        postgres_version=None if dsn is None else await asyncio.to_thread(_server_version, dsn),
        codec=codec,
        connect=connect,
        sink=sink,
        freshness=tuple(freshness),
        snapshot=snapshot,
        skipped=tuple(skipped),
    )


def _shown_command(arguments: list[str]) -> str:
    """The command as given, a DSN's password masked: the report is committed and shared."""
    return shlex.join(["lienthong", "bench", "report", *map(_shown_argument, arguments)])


def _shown_argument(argument: str) -> str:
    if "://" not in argument:
        return argument
    option, equals, value = argument.partition("=")
    if equals and option.startswith("--"):
        return f"{option}={shown_dsn(value)}"
    return shown_dsn(argument)


def _server_version(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return "unknown" if row is None else str(row[0]).split()[0]
