"""`lienthong bench …`: throughput benchmarks, printed beside their baseline."""

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lienthong.bench import run_codec_bench
from lienthong.cli.errors import exit_on_error

__all__ = ["bench_app"]

bench_app = typer.Typer(help="Benchmarks (no registry or broker needed).", no_args_is_help=True)


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
