"""`lienthong connect …`: run connectors, forget their positions."""

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from connectors.contract import Source
from connectors.control import read_connector_states
from connectors.control_operations import check_resettable
from connectors.kinds import source_for
from connectors.runner import ConnectorRunner
from connectors.spec import ConnectorSpec, load_connectors
from connectors.supervisor import run_connectors
from lienthong.cli.errors import exit_on_error
from lienthong.cli.running import load_settings, run_until_signalled
from lienthong.errors import ConfigurationError
from lienthong.settings import Settings

__all__ = ["connect_app"]

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
    connectors/examples/province.yaml shows one connector of each kind. The process reports
    each connector's state and follows operators' requests (lienthong connectors …).
    """
    settings = load_settings()
    with exit_on_error():
        specs = load_connectors(path).connectors
        if connector:
            unknown = sorted(set(connector) - {spec.name for spec in specs})
            if unknown:
                raise ConfigurationError(f"{path} has no connector named {', '.join(unknown)}")
            specs = [spec for spec in specs if spec.name in connector]
        runners = [ConnectorRunner(source, settings) for source in _sources(path, specs, settings)]
    run_until_signalled(lambda stop: run_connectors(runners, stop, metrics_port=metrics_port))
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
    """Forget where a connector stopped: its next run reads its source from the beginning.

    Refused while a process runs it (unless stopped: lienthong connectors stop NAME).
    """
    settings = load_settings()
    with exit_on_error():
        specs: dict[str, ConnectorSpec] = {s.name: s for s in load_connectors(path).connectors}
        if name not in specs:
            raise ConfigurationError(f"{path} has no connector named {name}")
        [source] = _sources(path, [specs[name]], settings)
        runner = ConnectorRunner(source, settings)
    run_until_signalled(lambda _stop: _refuse_while_running(settings, name))
    if not yes and not typer.confirm(f"Read {name}'s source again from the beginning?"):
        raise typer.Exit(1)
    run_until_signalled(lambda _stop: runner.reset_position())
    typer.echo(f"position of {name} forgotten")


async def _refuse_while_running(settings: Settings, name: str) -> None:
    """Forgetting fences a running instance (it would stop with an error): as `lienthong
    connectors reset-offsets`, only a stopped connector, or one no process runs, is reset."""
    for state in await read_connector_states(settings):
        if state.name == name:
            check_resettable(state, settings)


def _sources(path: Path, specs: Sequence[ConnectorSpec], settings: Settings) -> list[Source]:
    """Each entry's source, its options checked; an error names the file."""
    try:
        return [source_for(spec, settings) for spec in specs]
    except ConfigurationError as exc:
        raise ConfigurationError(f"{path}: {exc}") from exc
