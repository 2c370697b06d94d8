"""Entry point of the `lienthong` command: one sub-command group per role."""

import typer

from lienthong.cli.dev import dev_app

__all__ = ["app"]

app = typer.Typer(
    name="lienthong",
    help="Event-driven integration bus for a province's shared databases.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(dev_app, name="dev")
