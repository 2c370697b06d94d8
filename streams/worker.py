"""Running the stream processors as a process: until SIGINT or SIGTERM, then a clean stop."""

import asyncio
from typing import Any

import faust
import structlog

from lienthong.logs import configure_logging
from lienthong.serde import RegistryClient
from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics
from streams.app import create_app
from streams.centre import CentreSink, open_centre
from streams.logs import route_library_logs

__all__ = ["run_worker"]

log = structlog.get_logger(__name__)


def run_worker(settings: Settings) -> None:
    """Create the topics and the centre's schema, then process until a stop signal.

    Blocks; returns once the worker stopped cleanly (faust's Worker handles the signals),
    with the event loop closed and the centre's thread and connections released.
    Raises RetriableError when Kafka does not answer, ConfigurationError on a bad setting.
    """
    configure_logging(settings.log)
    route_library_logs(settings.log)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    sink: CentreSink | None = None
    registry = RegistryClient.from_settings(settings.registry)
    try:
        loop.run_until_complete(ensure_topics(settings, bus_topics(settings)))
        sink = CentreSink(open_centre(settings), settings.streams.app_id)
        app = create_app(settings, sink, registry)
        log.info(
            "streams worker starting",
            app_id=settings.streams.app_id,
            topics=settings.topics.centre_sources,
            centre="postgresql" if settings.centre.dsn else str(settings.centre_sqlite_path),
            key_registry=settings.topics.keys,
            unsigned_events="refused" if settings.trust.require_signatures else "applied",
        )
        worker = faust.Worker(
            app, loop=loop, quiet=True, override_logging=False, redirect_stdouts=False
        )
        worker.spinner = None  # it writes terminal escapes to stdout even when quiet
        _execute(worker)
    finally:
        if sink is not None:
            sink.close()
        if not loop.is_closed():
            loop.close()
        asyncio.set_event_loop(None)
    log.info("streams worker stopped", app_id=settings.streams.app_id)


def _execute(worker: Any) -> None:
    # mode's Worker ends the process with SystemExit(0) after a clean stop; a return here
    # lets the caller release what it holds.
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
