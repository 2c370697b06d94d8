"""`lienthong connect …`: run connectors and the one-stop-shop simulator."""

import asyncio
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from connectors.kinds import source_for
from connectors.motcua import OutboxConnector, Simulator, create_source_engine, ensure_source_schema
from connectors.runner import ConnectorRunner
from connectors.spec import ConnectorSpec, load_connectors
from connectors.supervisor import run_connectors
from lienthong.cli.errors import exit_on_error
from lienthong.errors import ConfigurationError
from lienthong.logs import configure_logging
from lienthong.settings import Settings

__all__ = ["connect_app"]

T = TypeVar("T")

connect_app = typer.Typer(
    name="connect",
    help="Connectors: read department systems and publish their changes to the bus.",
    no_args_is_help=True,
)


@connect_app.command("run")
def run(
    path: Annotated[Path, typer.Argument(help="The connectors file (YAML).")],
    connector: Annotated[
        list[str] | None, typer.Option("--connector", "-c", help="Run only this one (repeatable).")
    ] = None,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve /metrics (Prometheus text) on 127.0.0.1:PORT.")
    ] = None,
) -> None:
    """Run the connectors described in a YAML file until Ctrl-C or SIGTERM.

    The first signal lets each connector finish its current batch; a second one aborts it.
    """
    settings = _settings()
    with exit_on_error():
        specs = load_connectors(path).connectors
        if connector:
            unknown = sorted(set(connector) - {spec.name for spec in specs})
            if unknown:
                raise ConfigurationError(f"{path} has no connector named {', '.join(unknown)}")
            specs = [spec for spec in specs if spec.name in connector]
        runners = [ConnectorRunner(source_for(spec, settings), settings) for spec in specs]
    _run(lambda stop: run_connectors(runners, stop, metrics_port=metrics_port))
    for runner in runners:
        stats = runner.stats
        typer.echo(
            f"{runner.name}: published {stats.published} events, {stats.dead_lettered} dead "
            f"letters, {stats.tombstones} tombstones; position {stats.position}"
        )


@connect_app.command("forget")
def forget(
    path: Annotated[Path, typer.Argument(help="The connectors file (YAML).")],
    name: Annotated[str, typer.Argument(help="The connector whose position to forget.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Forget where a connector stopped: its next run reads its source from the beginning."""
    settings = _settings()
    with exit_on_error():
        specs: dict[str, ConnectorSpec] = {s.name: s for s in load_connectors(path).connectors}
        if name not in specs:
            raise ConfigurationError(f"{path} has no connector named {name}")
        runner = ConnectorRunner(source_for(specs[name], settings), settings)
    if not yes and not typer.confirm(f"Read {name}'s source again from the beginning?"):
        raise typer.Exit(1)
    _run(lambda _stop: runner.reset_position())
    typer.echo(f"position of {name} forgotten")


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
