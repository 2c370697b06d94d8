"""structlog set-up: JSON lines for machines, readable lines on a terminal; citizen id
numbers redacted from every string of every line (lienthong.privacy.redaction), ours and
the libraries' alike."""

import logging
import sys
from typing import TextIO

import structlog

from lienthong.privacy.redaction import RedactingFilter, redact_event
from lienthong.settings import LogSettings

__all__ = ["configure_logging"]


def configure_logging(settings: LogSettings, stream: TextIO | None = None) -> None:
    """Route structlog and the standard library's logging to `stream` (stderr by default)."""
    stream = stream or sys.stderr
    json_lines = settings.json_lines
    if json_lines is None:
        json_lines = not stream.isatty()
    level = logging.getLevelName(settings.level.upper())
    if not isinstance(level, int):
        level = logging.INFO
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json_lines
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            redact_event,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=max(level, logging.WARNING), stream=stream, force=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
