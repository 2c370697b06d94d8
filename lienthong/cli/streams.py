"""`lienthong streams`: the stream processors that keep the data integration centre in sync."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

from lienthong.errors import ConfigurationError, LienthongError
from lienthong.settings import Settings
from streams import count_dossiers, run_worker

__all__ = ["streams_app"]

streams_app = typer.Typer(
    help="Stream processors (faust) that keep the data integration centre's store in sync.",
    no_args_is_help=True,
)


@contextmanager
def _exit_on_error() -> Iterator[None]:
    """Domain errors become one readable line on stderr and their exit code, not a traceback."""
    try:
        yield
    except ValidationError as exc:
        _fail(f"invalid LIENTHONG_* settings: {exc}", ConfigurationError.exit_code)
    except LienthongError as exc:
        _fail(str(exc), exc.exit_code)


def _fail(message: str, exit_code: int) -> NoReturn:
    Console(stderr=True, soft_wrap=True).print(Text("error: ", style="bold red") + Text(message))
    raise typer.Exit(code=exit_code)


@streams_app.command()
def worker() -> None:
    """Create the topics and the centre's tables, then sync dossiers until SIGINT or SIGTERM."""
    with _exit_on_error():
        run_worker(Settings())


@streams_app.command()
def counts(
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the counts as one JSON object.")
    ] = False,
) -> None:
    """How many dossiers the centre holds and deleted, and when it last wrote one."""
    with _exit_on_error():
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


if __name__ == "__main__":
    streams_app()
