"""`lienthong bench connect`: the connector's publish rate beside raw aiokafka, same bytes."""

import asyncio
import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lienthong.bench.connect import ConnectBench, ConnectPlan, run_connect_bench
from lienthong.cli.errors import exit_on_error
from lienthong.cli.running import settings_with_bootstrap
from lienthong.logs import configure_logging
from lienthong.settings import LogSettings

__all__ = ["connect"]


def connect(
    records: Annotated[int, typer.Option(help="Dossier changes per run.", min=10)] = 20_000,
    batch_size: Annotated[
        int, typer.Option(help="Most changes in one connector transaction.", min=1)
    ] = 500,
    repeats: Annotated[int, typer.Option(help="Runs; the median is reported.", min=1)] = 3,
    bootstrap: Annotated[
        str | None,
        typer.Option(help="Kafka bootstrap servers [default: settings.kafka.bootstrap_servers]."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same changes.")] = 0,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Changes/s a connector publishes (ConnectorRunner on an in-memory source: validation,
    Avro, a Kafka transaction per batch with its position) beside a raw idempotent aiokafka
    producer sending the same records, same run. Needs a broker (`lienthong dev up`); runs a
    schema registry of its own."""
    configure_logging(LogSettings(level="WARNING"))
    with exit_on_error():
        settings = settings_with_bootstrap(bootstrap)
        plan = ConnectPlan(records, batch_size, repeats, seed)
        result = asyncio.run(run_connect_bench(settings, plan))
    if json_output:
        typer.echo(json.dumps(asdict(result)))
        return
    _print(result)


def _print(result: ConnectBench) -> None:
    table = Table(
        title=(
            f"{result.records:,} DossierChange events ({result.mean_value_bytes:.0f} bytes on "
            f"average, {result.partitions} partitions), batches of {result.batch_size}, "
            f"median of {result.repeats} runs"
        ),
        caption=(
            "connector: ConnectorRunner on an in-memory source (clean text, validate, Avro, one "
            "transaction per batch with its position).\nraw: idempotent AIOKafkaProducer, "
            "acks=all, same linger and batch size, the same records, no transactions."
        ),
    )
    table.add_column("measure")
    table.add_column("connector", justify="right")
    table.add_column("raw aiokafka", justify="right")
    table.add_column("ratio", justify="right")
    table.add_row(
        "events/s",
        f"{result.connector_per_s:,.0f}",
        f"{result.raw_per_s:,.0f}",
        f"{result.ratio:.1%}",
    )
    table.add_row(
        "MB/s (keys and values)",
        f"{result.connector_mb_per_s:,.2f}",
        f"{result.raw_mb_per_s:,.2f}",
        f"{result.ratio:.1%}",  # the same records on both sides: the same ratio
    )
    console = Console()
    console.print(table)
    console.print(
        f"connector topic read back: {result.candidate_events:,} events "
        f"({result.repeats} runs of {result.records:,})"
    )
