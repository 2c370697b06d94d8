"""`lienthong registry …`: the Confluent-compatible schema registry on a Kafka topic."""

import asyncio
import signal

import typer

from lienthong.cli.errors import exit_on_error
from lienthong.logs import configure_logging
from lienthong.registry import serve_registry
from lienthong.settings import Settings

__all__ = ["registry_app"]

registry_app = typer.Typer(
    name="registry",
    help="Schema registry: Confluent's REST API, its store a compacted Kafka topic.",
    no_args_is_help=True,
)


@registry_app.callback()
def registry() -> None:
    """Schema registry: Confluent's REST API, its store a compacted Kafka topic."""


@registry_app.command()
def serve() -> None:
    """Serve the registry on LIENTHONG_REGISTRY__HOST/PORT until Ctrl-C or SIGTERM.

    Creates the topic (LIENTHONG_REGISTRY__TOPIC) if missing and answers once it has read it
    to the end. Several instances may serve the same topic.
    """
    with exit_on_error():
        settings = Settings()
    configure_logging(settings.log)
    with exit_on_error():
        asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await serve_registry(settings, stop)
