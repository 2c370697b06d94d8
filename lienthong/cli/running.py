"""What long-running commands share: settings with logging, and a loop that stops on signals."""

import asyncio
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from lienthong.cli.errors import exit_on_error
from lienthong.logs import configure_logging
from lienthong.settings import Settings

__all__ = ["load_settings", "run_until_signalled", "settings_with_bootstrap"]

T = TypeVar("T")


def load_settings() -> Settings:
    with exit_on_error():
        settings = Settings()
    configure_logging(settings.log)
    return settings


def settings_with_bootstrap(bootstrap: str | None) -> Settings:
    """The process's settings, with another Kafka cluster when `bootstrap` is given."""
    settings = Settings()
    if bootstrap is None:
        return settings
    kafka = settings.kafka.model_copy(update={"bootstrap_servers": bootstrap})
    return settings.model_copy(update={"kafka": kafka})


def run_until_signalled(main: Callable[[asyncio.Event], Awaitable[T]]) -> T:
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
