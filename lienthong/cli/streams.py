"""`lienthong streams`: the stream processors that keep the data integration centre in sync."""

import json
from typing import Annotated

import typer

from lienthong.cli.errors import exit_on_error
from lienthong.settings import Settings
from streams import count_dossiers, run_worker

__all__ = ["streams_app"]

streams_app = typer.Typer(
    help="Stream processors (faust) that keep the data integration centre's store in sync.",
    no_args_is_help=True,
)


@streams_app.command()
def worker() -> None:
    """Create the topics and the centre's tables, then sync dossiers until SIGINT or SIGTERM."""
    with exit_on_error():
        run_worker(Settings())


@streams_app.command()
def counts(
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the counts as one JSON object.")
    ] = False,
) -> None:
    """How many dossiers the centre holds and deleted, and when it last wrote one."""
    with exit_on_error():
        current = count_dossiers(Settings())
    synced = current.last_synced_at.isoformat() if current.last_synced_at else None
    if json_output:
        payload = {
            "dossiers": current.dossiers,
            "deleted": current.deleted,
            "last_synced_at": synced,
        }
        typer.echo(json.dumps(payload))
        return
    typer.echo(f"dossiers: {current.dossiers}\ndeleted: {current.deleted}\nlast synced: {synced}")
