"""`lienthong connect …`: run connectors and the one-stop-shop simulator."""

import asyncio
import signal
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer

from connectors.motcua import OutboxConnector, Simulator, create_source_engine, ensure_source_schema
from lienthong.cli.errors import exit_on_error
from lienthong.logs import configure_logging
from lienthong.settings import Settings

__all__ = ["connect_app"]

T = TypeVar("T")

connect_app = typer.Typer(
    name="connect",
    help="Connectors: read department systems and publish their changes to the bus.",
    no_args_is_help=True,
)


@connect_app.command("outbox")
def outbox() -> None:
    """Publish the one-stop-shop outbox to Kafka until Ctrl-C or SIGTERM.

    The first signal finishes the current batch; a second one aborts its transaction.
    """
    settings = _settings()
    connector = OutboxConnector(settings)
    _run(connector.run)
    stats = connector.stats
    typer.echo(
        f"published {stats.published} events, {stats.tombstones} tombstones, "
        f"{stats.dead_lettered} dead letters; position {stats.position}"
    )


@connect_app.command("simulate")
def simulate(
    rate: Annotated[float, typer.Option(help="Activities per second.", min=0.001)] = 5.0,
    events: Annotated[int | None, typer.Option(help="Stop after this many.", min=1)] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same activity.")] = 0,
) -> None:
    """Write realistic dossier activity into the one-stop-shop database."""
    settings = _settings()
    engine = create_source_engine(settings)
    try:
        ensure_source_schema(engine)
        simulator = Simulator(engine, seed)
        done = _run(lambda stop: simulator.run(rate, events, stop))
    finally:
        engine.dispose()
    summary = ", ".join(f"{action.value} {count}" for action, count in simulator.counts.items())
    typer.echo(f"{done} activities: {summary}")


@connect_app.command("reset")
def reset(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Forget where the outbox connector stopped; its next run republishes the whole outbox."""
    settings = _settings()
    name = settings.connector.name
    if not yes and not typer.confirm(f"Republish the whole outbox on {name}'s next run?"):
        raise typer.Exit(1)
    _run(lambda _stop: OutboxConnector(settings).reset_position())
    typer.echo(f"position of {name} forgotten")


def _settings() -> Settings:
    with exit_on_error():
        settings = Settings()
    configure_logging(settings.log)
    return settings


def _run(main: Callable[[asyncio.Event], Awaitable[T]]) -> T:
    """Run `main(stop)`: the first Ctrl-C/SIGTERM sets `stop`, the second cancels it."""

    async def supervise() -> T:
        stop = asyncio.Event()
        task = asyncio.ensure_future(main(stop))
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            if stop.is_set():
                task.cancel()
            stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, on_signal)
        return await task

    with exit_on_error():
        try:
            return asyncio.run(supervise())
        except asyncio.CancelledError:
            raise typer.Exit(130) from None
