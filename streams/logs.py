"""faust, mode and aiokafka log through the standard library: quiet them, render as structlog."""

import logging
import sys

import structlog

from lienthong.privacy.redaction import redact_event
from lienthong.settings import LogSettings

__all__ = ["route_library_logs"]

_CHATTY = ("faust", "mode", "aiokafka", "aiohttp", "kafka")


def route_library_logs(settings: LogSettings) -> None:
    """Call after lienthong.logs.configure_logging: libraries log warnings and up (all when
    DEBUG is asked), through the root handler, rendered as structlog renders our own lines."""
    debug = settings.level.upper() == "DEBUG"
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.WARNING)
    json_lines = settings.json_lines
    if json_lines is None:
        json_lines = not sys.stderr.isatty()
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json_lines
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_event,
            renderer,
        ],
    )
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
