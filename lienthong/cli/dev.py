"""`lienthong dev`: a real single-node Apache Kafka on this machine, for development and tests."""

import asyncio
import dataclasses
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from lienthong.cli.errors import exit_on_error
from lienthong.devkafka import BrokerInfo, BrokerStatus, broker_status, start_broker, stop_broker
from lienthong.devkafka.security import client_environment
from lienthong.settings import Settings

__all__ = ["dev_app"]

dev_app = typer.Typer(
    help=(
        "Run a real single-node Apache Kafka (KRaft) for development, "
        "booted from Maven Central jars with the local JDK and Maven."
    ),
    no_args_is_help=True,
)


@dev_app.command()
def up(
    secure: Annotated[
        bool,
        typer.Option(
            "--secure",
            help=(
                "SASL/SCRAM-SHA-512 over TLS with ACLs, a local CA and an admin super-user "
                "(also LIENTHONG_DEV__SECURE=true)."
            ),
        ),
    ] = False,
) -> None:
    """Start the broker and wait until it answers; does nothing when it already runs."""
    with exit_on_error():
        settings = Settings()
        if secure:
            settings = settings.model_copy(
                update={"dev": settings.dev.model_copy(update={"secure": True})}
            )
        info = asyncio.run(start_broker(settings))
    console = Console()
    if info.already_running:
        console.print(
            Text.assemble(
                ("Already running: ", "bold"),
                f"Kafka {info.kafka_version} on {info.bootstrap_servers} (pid {info.pid}); ",
                "nothing to do.",
            )
        )
        return
    console.print(
        Text.assemble(
            ("Started: ", "bold green"),
            f"Kafka {info.kafka_version} on {info.bootstrap_servers} (pid {info.pid})",
        )
    )
    console.print(_details(info))
    if info.security is not None:
        console.print(Text("Secure mode: the other commands act as the admin with", style="bold"))
        environment = client_environment(info.security)
        environment["LIENTHONG_KAFKA__BOOTSTRAP_SERVERS"] = info.bootstrap_servers
        for name, value in environment.items():
            typer.echo(f"  export {name}={value}")
        return
    if settings.kafka.bootstrap_servers != info.bootstrap_servers:
        console.print(
            Text(
                f"Note: LIENTHONG_KAFKA__BOOTSTRAP_SERVERS is {settings.kafka.bootstrap_servers}; "
                f"set it to {info.bootstrap_servers} for the other commands to use this broker.",
                style="yellow",
            )
        )


@dev_app.command()
def status(
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the status as one JSON object.")
    ] = False,
) -> None:
    """Show whether the broker runs, answers, and where it keeps its data."""
    with exit_on_error():
        current = asyncio.run(broker_status(Settings()))
    if json_output:
        typer.echo(json.dumps(dataclasses.asdict(current), default=str, ensure_ascii=False))
        return
    Console().print(_status_table(current))


@dev_app.command()
def down() -> None:
    """Stop the broker cleanly (SIGKILL after 30 s); harmless when nothing runs."""
    with exit_on_error():
        settings = Settings()
        stopped = stop_broker(settings)
    home = settings.kafka_home
    message = (
        f"Stopped the development broker of {home}."
        if stopped
        else f"No development broker was running for {home}."
    )
    Console().print(Text(message))


def _details(info: BrokerInfo) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_row("data", str(info.data_dir))
    table.add_row("log", str(info.log_file))
    table.add_row("jars", "resolved with Maven" if info.resolved_jars else "reused")
    table.add_row("storage", "formatted now" if info.formatted_storage else "reused")
    return table


def _status_table(current: BrokerStatus) -> Table:
    state = (
        Text("running", style="bold green")
        if current.running
        else Text("stopped", style="bold yellow")
    )
    table = Table(title="Development Kafka broker", show_header=False, title_justify="left")
    table.add_row("state", state)
    if current.running:
        table.add_row("pid", str(current.pid))
        table.add_row("answering", "yes" if current.answering else Text("no", style="red"))
    table.add_row("bootstrap", current.bootstrap_servers)
    table.add_row("security", "SASL_SSL (SCRAM-SHA-512), ACLs" if current.secure else "none")
    table.add_row("ports", f"broker {current.broker_port}, controller {current.controller_port}")
    table.add_row("version", f"Kafka {current.kafka_version}")
    table.add_row("data", str(current.data_dir))
    table.add_row("log", str(current.log_file))
    return table
