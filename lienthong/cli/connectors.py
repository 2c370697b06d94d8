"""`lienthong connectors …`: the states of running connectors, and operators' requests to them.

Requests go through Kafka (the control topic), so they reach whichever process runs the
connector, wherever it runs; states come back on the status topic.
"""

import asyncio
import json
import logging
import sys
from collections.abc import Coroutine
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from connectors.control import read_connector_states, send_request
from connectors.control_operations import (
    await_requested_state,
    find_connector,
    requested_state,
    reset_offsets,
    resettable_connector,
)
from connectors.control_records import (
    FAILED,
    PAUSED,
    RUNNING,
    STARTING,
    STOPPED,
    UNASSIGNED,
    ConnectorAction,
    ConnectorState,
)
from lienthong.cli.errors import exit_on_error, fail
from lienthong.logs import configure_logging
from lienthong.settings import Settings

__all__ = ["age_text", "connectors_app", "state_style"]

T = TypeVar("T")

connectors_app = typer.Typer(
    name="connectors",
    help="Running connectors: their states; pause, resume, restart, stop; reset positions.",
    no_args_is_help=True,
)

NameArgument = Annotated[str, typer.Argument(help="The connector's name (connectors.yaml).")]
WaitOption = Annotated[
    float,
    typer.Option("--wait-s", min=0, help="How long to wait for the connector to report it."),
]

_PIPED_WIDTH = 200
_ERROR_CHARS = 48
"""Of an error in the table; the full text follows it."""
_STYLES = {RUNNING: "green", PAUSED: "yellow", STOPPED: "yellow", FAILED: "red", UNASSIGNED: "red"}


def state_style(state: str, *, failing: bool = False) -> str:
    """Green running, amber paused, stopped or starting, red failed, retrying after a
    failure, or run by no process."""
    if state == STARTING:
        return "red" if failing else "yellow"
    return _STYLES.get(state, "")


def _shortened(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def age_text(seconds: float) -> str:
    """A readable age: `12 s`, `4 min`, `3 h`, `2 d`."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{max(int(seconds), 0)} s"


def _settings() -> Settings:
    """The settings, with logs on stderr: stdout carries the command's answer only."""
    with exit_on_error():
        settings = Settings()
    configure_logging(settings.log)
    # Kafka's client logs each failed connection attempt; the command says it once.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    return settings


def _run(work: Coroutine[Any, Any, T]) -> T:
    with exit_on_error():
        return asyncio.run(work)


@connectors_app.command("list")
def list_connectors(
    json_output: Annotated[bool, typer.Option("--json", help="Print them as JSON.")] = False,
) -> None:
    """Every connector that has reported: its state, process, counters and last error."""
    settings = _settings()
    states = _run(read_connector_states(settings))
    now, heartbeat_s = datetime.now(UTC), settings.connector.heartbeat_every_s
    if json_output:
        rows = [_json_row(state, now, heartbeat_s) for state in states]
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not states:
        typer.echo("no connector has reported a state yet", err=True)
        return
    # Piped, a line per connector (for grep) matters more than fitting 80 columns.
    console = Console() if sys.stdout.isatty() else Console(width=_PIPED_WIDTH)
    console.print(_table(states, now, heartbeat_s))
    for state in states:
        if state.error:
            console.print(Text(f"{state.name}: ", style="bold") + Text(state.error), soft_wrap=True)


@connectors_app.command()
def pause(name: NameArgument, wait_s: WaitOption = 30.0) -> None:
    """Finish the current batch, close the source and stay PAUSED until resumed."""
    _request(name, ConnectorAction.PAUSE, wait_s)


@connectors_app.command()
def resume(name: NameArgument, wait_s: WaitOption = 30.0) -> None:
    """Run a paused or stopped connector again, from its stored position."""
    _request(name, ConnectorAction.RESUME, wait_s)


@connectors_app.command()
def stop(name: NameArgument, wait_s: WaitOption = 30.0) -> None:
    """Like pause; it stays STOPPED even after its process exits.

    A stopped connector's position can be reset (reset-offsets).
    """
    _request(name, ConnectorAction.STOP, wait_s)


@connectors_app.command()
def restart(name: NameArgument, wait_s: WaitOption = 30.0) -> None:
    """End the connector's session (its batch completes) and start a new one.

    A paused or stopped connector runs again.
    """
    _request(name, ConnectorAction.RESTART, wait_s)


@connectors_app.command("reset-offsets")
def reset_offsets_command(
    name: NameArgument,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Forget a stopped connector's position: it reads its source again from the start.

    Allowed only while it is STOPPED or no process runs it. When it runs again it
    republishes what it read before (with the same event ids).
    """
    settings = _settings()
    state = _run(resettable_connector(settings, name))
    if not yes and not typer.confirm(f"Read {name}'s source again from the beginning?"):
        raise typer.Exit(1)
    _run(reset_offsets(settings, name))
    typer.echo(
        f"{name}: position forgotten (was {state.position or 'none'}); it reads its source "
        "from the beginning when it runs again"
    )


def _request(name: str, action: ConnectorAction, wait_s: float) -> None:
    settings = _settings()
    expected = requested_state(action)
    state, shown, live = _run(_ask(settings, name, action, wait_s))
    if not live:
        message = f"no process runs {name}; the request is recorded and applies when one does"
        if action in (ConnectorAction.PAUSE, ConnectorAction.STOP):
            typer.echo(f"{message}: it will start {expected}", err=True)
            return
        fail(f"{message} (lienthong connect run)", 1)
    if not shown:
        problem = f" ({state.error})" if state.error else ""
        fail(
            f"{name} did not report {expected} within {wait_s:g} s: it reports "
            f"{state.state}{problem}",
            1,
        )
    typer.echo(f"{name}: {state.state} on {state.worker}")


async def _ask(
    settings: Settings, name: str, action: ConnectorAction, wait_s: float
) -> tuple[ConnectorState, bool, bool]:
    """The connector's report after the request, whether it shows it, and whether any process
    runs the connector at all."""
    current = find_connector(await read_connector_states(settings), name)
    request = await send_request(settings, name, action)
    if not current.is_reporting(datetime.now(UTC), settings.connector.heartbeat_every_s):
        return current, False, False
    state, shown = await await_requested_state(settings, request, wait_s=wait_s)
    return state, shown, True


def _json_row(state: ConnectorState, now: datetime, heartbeat_s: float) -> dict[str, Any]:
    row = {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in asdict(state).items()
    }
    row["effective_state"] = state.effective_state(now, heartbeat_s)
    return row


def _table(states: list[ConnectorState], now: datetime, heartbeat_s: float) -> Table:
    table = Table(title="Connectors")
    table.add_column("name", no_wrap=True)
    table.add_column("kind")
    table.add_column("agency")
    table.add_column("state", no_wrap=True)
    table.add_column("worker")
    table.add_column("published", justify="right")
    table.add_column("dead letters", justify="right")
    table.add_column("last commit")
    table.add_column("error")
    for state in states:
        effective = state.effective_state(now, heartbeat_s)
        commit = state.last_commit_at
        table.add_row(
            state.name,
            state.kind,
            state.agency,
            Text(effective, style=state_style(effective, failing=state.error is not None)),
            state.worker,
            str(state.published),
            str(state.dead_lettered),
            "-" if commit is None else f"{age_text((now - commit).total_seconds())} ago",
            _shortened(state.error or "", _ERROR_CHARS),
        )
    return table
