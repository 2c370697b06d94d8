"""`lienthong simulate …`: department systems at work, for demos and benchmarks."""

from typing import Annotated

import typer

from connectors.motcua import Simulator, create_source_engine, ensure_source_schema
from lienthong.cli.running import load_settings, run_until_signalled
from lienthong.cli.simulate_edoc import edoc
from lienthong.cli.simulate_land import land

__all__ = ["simulate_app"]

simulate_app = typer.Typer(
    name="simulate",
    help="Simulate department systems: realistic activity in their databases, folders or APIs.",
    no_args_is_help=True,
)
simulate_app.command("edoc")(edoc)
simulate_app.command("land")(land)


@simulate_app.command("onestop")
def onestop(
    rate: Annotated[float, typer.Option(help="Activities per second.", min=0.001)] = 5.0,
    events: Annotated[int | None, typer.Option(help="Stop after this many.", min=1)] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same activity.")] = 0,
) -> None:
    """Dossier activity in the one-stop-shop database (and its outbox), until Ctrl-C."""
    settings = load_settings()
    engine = create_source_engine(settings)
    try:
        ensure_source_schema(engine)
        simulator = Simulator(engine, seed)
        done = run_until_signalled(lambda stop: simulator.run(rate, events, stop))
    finally:
        engine.dispose()
    summary = ", ".join(f"{action.value} {count}" for action, count in simulator.counts.items())
    typer.echo(f"{done} activities: {summary}")
