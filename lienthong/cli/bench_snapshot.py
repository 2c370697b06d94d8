"""`lienthong bench snapshot`: the pgcdc connector's initial snapshot of a land register."""

import asyncio
import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lienthong.bench.snapshot import SnapshotBench, SnapshotPlan, run_snapshot_bench
from lienthong.cli.errors import exit_on_error
from lienthong.cli.running import settings_with_bootstrap
from lienthong.errors import ConfigurationError
from lienthong.logs import configure_logging
from lienthong.settings import LogSettings

__all__ = ["snapshot"]


def snapshot(
    parcels: Annotated[int, typer.Option(help="Land parcels in the table.", min=1)] = 100_000,
    chunk: Annotated[int, typer.Option(help="Rows per snapshot query.", min=1)] = 1000,
    batch_size: Annotated[
        int, typer.Option(help="Source items per Kafka transaction.", min=1, max=100_000)
    ] = 500,
    dsn: Annotated[
        str | None,
        typer.Option(
            help="PostgreSQL database (wal_level=logical, a role with REPLICATION) "
            "[default: LIENTHONG_SOURCE__DSN].",
            show_default=False,
        ),
    ] = None,
    bootstrap: Annotated[
        str | None,
        typer.Option(help="Kafka bootstrap servers [default: settings.kafka.bootstrap_servers]."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Parcels/s of the pgcdc connector's initial snapshot: N land parcels loaded into a
    fresh schema, then published to Kafka (a broker must run: `lienthong dev up`), the
    registry in-process. The schema, slot, publication and topics are dropped afterwards."""
    configure_logging(LogSettings(level="WARNING"))
    with exit_on_error():
        settings = settings_with_bootstrap(bootstrap)
        dsn = dsn or (settings.source.dsn.get_secret_value() if settings.source.dsn else None)
        if dsn is None or not dsn.startswith(("postgresql://", "postgres://")):
            raise ConfigurationError(
                "the snapshot bench needs a PostgreSQL database: pass --dsn postgresql://... "
                "or set LIENTHONG_SOURCE__DSN"
            )
        plan = SnapshotPlan(parcels=parcels, chunk=chunk, batch_size=batch_size)
        result = asyncio.run(run_snapshot_bench(settings, dsn, plan))
    if json_output:
        typer.echo(json.dumps(asdict(result)))
        return
    _print(result)


def _print(result: SnapshotBench) -> None:
    table = Table(
        title=(
            f"pgcdc initial snapshot of {result.parcels:,} land parcels, chunks of "
            f"{result.chunk:,} rows, {result.batch_size:,} per Kafka transaction, "
            f"{result.partitions} partitions"
        ),
        caption=(
            "timed from the connector's start to the last parcel committed to Kafka "
            "(validated, Avro-encoded, exactly once); loading the table is not timed."
        ),
    )
    for name in ("parcels", "load (s)", "snapshot (s)", "parcels/s", "Kafka transactions"):
        table.add_column(name, justify="right")
    table.add_row(
        f"{result.parcels:,}",
        f"{result.load_s:,.1f}",
        f"{result.snapshot_s:,.1f}",
        f"{result.parcels_per_s:,.0f}",
        f"{result.batches:,}",
    )
    Console().print(table)
