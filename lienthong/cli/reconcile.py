"""`lienthong reconcile`: the one-stop-shop's dossiers against the centre's, and their repair."""

import json
from typing import Annotated

import typer

from lienthong.cli.errors import exit_on_error
from lienthong.reconcile import reconcile as run_reconcile
from lienthong.reconcile import report_json, summary_lines
from lienthong.settings import Settings

__all__ = ["reconcile"]

DRIFT_EXIT_CODE = 1


def reconcile(
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Re-publish the drifting dossiers through the source's outbox (a SNAPSHOT of "
            "the current row, a DELETE for one gone from the source); the pipeline fixes the "
            "centre.",
        ),
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    show: Annotated[int, typer.Option(help="Keys listed per kind of drift.", min=0)] = 10,
    chunk_size: Annotated[
        int, typer.Option(help="Rows fetched, and keys repaired per transaction, at once.", min=1)
    ] = 1000,
) -> None:
    """Compare the source's dossiers with the centre's: counts, then a checksum per dossier.

    Exit code 0 when in sync (or every drift was re-published), 1 when drift remains,
    2 on a configuration error.
    """
    with exit_on_error():
        report = run_reconcile(Settings(), repair=repair, chunk_size=chunk_size, sample_limit=show)
    if json_output:
        typer.echo(json.dumps(report_json(report), ensure_ascii=False))
    else:
        typer.echo("\n".join(summary_lines(report)))
    if report.unrepaired:
        raise typer.Exit(code=DRIFT_EXIT_CODE)
