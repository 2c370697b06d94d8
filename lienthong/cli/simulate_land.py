"""`lienthong simulate land`: activity in the land register's database, for the polling kind."""

from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from connectors.land import LandSimulator, ensure_land_schema, land_engine
from lienthong.cli.errors import exit_on_error, fail
from lienthong.cli.running import load_settings, run_until_signalled
from lienthong.errors import RetriableError

__all__ = ["land"]


def land(
    dsn: Annotated[
        str | None,
        typer.Option(
            help="SQLAlchemy URL of the register (postgresql://…, mysql://…); "
            "default: SQLite at <var_dir>/source/land.db.",
            show_default=False,
        ),
    ] = None,
    rate: Annotated[float, typer.Option(help="Changes per second.", min=0.001)] = 5.0,
    events: Annotated[int | None, typer.Option(help="Stop after this many.", min=1)] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same activity.")] = 0,
) -> None:
    """Parcels registered, transferred, measured again, split, merged and cancelled in the
    land register, until Ctrl-C."""
    settings = load_settings()
    with exit_on_error():
        engine = land_engine(dsn, settings.var_dir)
    try:
        try:
            ensure_land_schema(engine)
        except OperationalError as exc:
            fail(f"cannot open the land register: {exc.orig}", RetriableError.exit_code)
        simulator = LandSimulator(engine, seed)
        done = run_until_signalled(lambda stop: simulator.run(rate, events, stop))
    finally:
        engine.dispose()
    summary = ", ".join(f"{action.value} {count}" for action, count in simulator.counts.items())
    typer.echo(f"{done} changes in {engine.url.render_as_string(hide_password=True)}: {summary}")
