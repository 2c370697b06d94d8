"""`lienthong bench …`: throughput benchmarks, printed beside their baseline."""

import asyncio
import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lienthong.bench import (
    BenchStores,
    FreshnessBench,
    FreshnessPlan,
    LatencySummary,
    SinkBench,
    SinkPlan,
    StoreKind,
    postgres_stores,
    run_codec_bench,
    run_freshness_bench,
    run_sink_bench,
    sqlite_stores,
)
from lienthong.cli.bench_connect import connect
from lienthong.cli.bench_report import report
from lienthong.cli.bench_snapshot import snapshot
from lienthong.cli.errors import exit_on_error
from lienthong.cli.running import settings_with_bootstrap
from lienthong.errors import ConfigurationError
from lienthong.logs import configure_logging
from lienthong.settings import LogSettings, Settings

__all__ = ["bench_app"]

bench_app = typer.Typer(
    help="Benchmarks, each beside its baseline in the same run (sink and freshness need "
    "a broker: `lienthong dev up`).",
    no_args_is_help=True,
)
bench_app.command()(connect)
bench_app.command()(snapshot)
bench_app.command()(report)

_BOOTSTRAP_HELP = "Kafka bootstrap servers [default: settings.kafka.bootstrap_servers]."


@bench_app.command()
def codec(
    records: Annotated[int, typer.Option(help="Dossier changes per run.", min=100)] = 10_000,
    repeats: Annotated[int, typer.Option(help="Runs; the median is reported.", min=1)] = 7,
    seed: Annotated[int, typer.Option(help="Same seed, same records.")] = 0,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Encode+frame and decode rates of the serde beside bare fastavro, same records, same run."""
    with exit_on_error():
        result = run_codec_bench(records, repeats, seed=seed)
    if json_output:
        typer.echo(json.dumps(asdict(result)))
        return
    table = Table(
        title=(
            f"{result.records} DossierChange records, {result.mean_record_bytes:.0f} bytes "
            f"on average, median of {result.repeats} runs"
        )
    )
    table.add_column("operation")
    table.add_column("lienthong.serde (rec/s)", justify="right")
    table.add_column("bare fastavro (rec/s)", justify="right")
    table.add_column("ratio", justify="right")
    for measure in (result.encode, result.decode):
        table.add_row(
            measure.operation,
            f"{measure.ours_per_s:,.0f}",
            f"{measure.bare_per_s:,.0f}",
            f"{measure.ratio:.1%}",
        )
    Console().print(table)


@bench_app.command()
def sink(
    records: Annotated[int, typer.Option(help="DossierChange records per run.", min=10)] = 20_000,
    dossiers: Annotated[
        int, typer.Option(help="Distinct dossiers: created, then updated in rounds.", min=1)
    ] = 5_000,
    batch_size: Annotated[int, typer.Option(help="Records per commit, both sides.", min=1)] = 500,
    repeats: Annotated[int, typer.Option(help="Runs; the median is reported.", min=1)] = 3,
    store: Annotated[
        list[StoreKind] | None,
        typer.Option(help="Store to measure, repeatable [default: postgresql]."),
    ] = None,
    dsn: Annotated[
        str | None,
        typer.Option(
            help="PostgreSQL database [default: LIENTHONG_CENTRE__DSN].", show_default=False
        ),
    ] = None,
    bootstrap: Annotated[str | None, typer.Option(help=_BOOTSTRAP_HELP)] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same records.")] = 0,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Records/s of the centre's sink (serde, CentreSink, flush per batch) beside a plain
    aiokafka + fastavro + upsert script, same Kafka records, same batches, same run.

    Each run starts on fresh tables: two schemas of their own in the --dsn database
    (dropped and created again), or two files under <var_dir>/bench/sink for SQLite."""
    configure_logging(LogSettings(level="WARNING"))
    with exit_on_error():
        settings = settings_with_bootstrap(bootstrap)
        stores = _sink_stores(settings, store or [StoreKind.POSTGRESQL], dsn)
        plan = SinkPlan(records, dossiers, batch_size, repeats, seed)
        result = asyncio.run(run_sink_bench(settings, plan, stores))
    if json_output:
        typer.echo(json.dumps(asdict(result)))
        return
    _print_sink(result)


@bench_app.command()
def freshness(
    duration: Annotated[float, typer.Option(help="Seconds measured.", min=1)] = 60.0,
    rate: Annotated[float, typer.Option(help="Source changes per second.", min=0.1)] = 50.0,
    warmup: Annotated[
        float, typer.Option(help="Seconds run before measuring, once the worker wrote.", min=0)
    ] = 5.0,
    drain_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the last changes to arrive.", min=1)
    ] = 60.0,
    dsn: Annotated[
        str | None,
        typer.Option(
            help="PostgreSQL database for the centre [default: LIENTHONG_CENTRE__DSN, else a "
            "fresh SQLite file].",
            show_default=False,
        ),
    ] = None,
    bootstrap: Annotated[str | None, typer.Option(help=_BOOTSTRAP_HELP)] = None,
    seed: Annotated[int, typer.Option(help="Seed of the simulator.")] = 2025,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Source commit to centre commit, p50/p95/p99/max, at a steady rate through the real
    pipeline (simulator, outbox connector, stream worker, in-process registry), beside the
    connector's leg alone (source commit to the Kafka record's timestamp)."""
    with exit_on_error():
        settings = settings_with_bootstrap(bootstrap)
        log_file = settings.var_dir / "logs" / "bench.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("a", encoding="utf-8") as log_stream:
            configure_logging(LogSettings(level=settings.log.level, json_lines=True), log_stream)
            centre = _freshness_centre(settings, dsn)
            plan = FreshnessPlan(duration, rate, warmup, drain_timeout, seed)
            result = asyncio.run(run_freshness_bench(settings, plan, centre))
    if json_output:
        typer.echo(json.dumps(asdict(result)))
        return
    _print_freshness(result)


def _sink_stores(settings: Settings, kinds: list[StoreKind], dsn: str | None) -> list[BenchStores]:
    stores = []
    for kind in dict.fromkeys(kinds):
        if kind is StoreKind.SQLITE:
            stores.append(sqlite_stores(settings.var_dir / "bench" / "sink"))
            continue
        dsn = dsn or (settings.centre.dsn.get_secret_value() if settings.centre.dsn else None)
        if dsn is None:
            raise ConfigurationError(
                "the sink bench on PostgreSQL needs a database: pass --dsn or set "
                "LIENTHONG_CENTRE__DSN (or measure SQLite alone with --store sqlite)"
            )
        stores.append(postgres_stores(dsn))
    return stores


def _print_sink(result: SinkBench) -> None:
    table = Table(
        title=(
            f"{result.records:,} DossierChange records over {result.dossiers:,} dossiers "
            f"({result.mean_record_bytes:.0f} bytes on average, {result.partitions} partitions), "
            f"batches of {result.batch_size}, median of {result.repeats} runs"
        ),
        caption=(
            "centre sink: bus serde, CentreSink (newest version per dossier, a history row per "
            "event, offsets), one transaction per batch.\nbaseline: aiokafka + fastavro + one "
            "plain upsert per record (no collapse, no history, no offsets), commit per batch."
        ),
    )
    table.add_column("store")
    table.add_column("centre sink (rec/s)", justify="right")
    table.add_column("baseline script (rec/s)", justify="right")
    table.add_column("ratio", justify="right")
    table.add_column("dossiers current (sink / baseline)", justify="right")
    for measure in result.measures:
        table.add_row(
            measure.store.value,
            f"{measure.ours_per_s:,.0f}",
            f"{measure.baseline_per_s:,.0f}",
            f"{measure.ratio:.1%}",
            f"{measure.ours_current:,} / {measure.baseline_current:,}",
        )
    Console().print(table)


def _freshness_centre(settings: Settings, dsn: str | None) -> BenchStores | None:
    dsn = dsn or (settings.centre.dsn.get_secret_value() if settings.centre.dsn else None)
    return None if dsn is None else postgres_stores(dsn)


def _print_freshness(result: FreshnessBench) -> None:
    table = Table(
        title=(
            f"{result.changes:,} changes in {result.duration_s:.0f} s "
            f"({result.achieved_per_s:.1f}/s achieved of {result.rate_per_s:g}/s planned), "
            f"centre on {result.centre}, {result.applied:,} applied"
        ),
        caption=(
            "source: outbox row occurred_at; Kafka: record timestamp (the connector's send); "
            "centre: history applied_at.\nworker batch window "
            f"{result.batch_within_s:g} s, connector poll {result.connector_poll_s:g} s; "
            f"worker peak RSS {_megabytes(result.worker_peak_rss_mb)}."
        ),
    )
    table.add_column("leg")
    for name in ("count", "p50 (ms)", "p95 (ms)", "p99 (ms)", "max (ms)"):
        table.add_column(name, justify="right")
    legs = (
        ("source → centre (end to end)", result.end_to_end),
        ("source → Kafka (connector leg)", result.connector_leg),
        ("Kafka → centre (stream worker leg)", result.stream_leg),
    )
    for leg, summary in legs:
        table.add_row(leg, *_latency_cells(summary))
    Console().print(table)
    if not result.drained:
        Console(stderr=True).print(
            f"warning: {result.changes - result.applied:,} changes had not reached the centre "
            "when the drain timeout passed; they are left out of the figures",
            style="yellow",
        )


def _megabytes(value: float | None) -> str:
    return "unknown" if value is None else f"{value:,.0f} MB"


def _latency_cells(summary: LatencySummary | None) -> list[str]:
    if summary is None:
        return ["0", "-", "-", "-", "-"]
    figures = (summary.p50_ms, summary.p95_ms, summary.p99_ms, summary.max_ms)
    return [f"{summary.count:,}", *(f"{figure:,.0f}" for figure in figures)]
