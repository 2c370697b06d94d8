"""The timer that keeps "overdue now" current: overdue depends on the clock, not on events,
so the worker recounts it from the centre's dossiers at a fixed interval."""

from datetime import UTC, datetime
from typing import Any

import structlog

from streams.centre import CentreSink

__all__ = ["add_overdue_timer"]

log = structlog.get_logger(__name__)


def add_overdue_timer(app: Any, sink: CentreSink, every_s: float) -> None:
    """Register the timer on `app` (a faust.App). A failed count is logged and tried again
    at the next tick; it never stops the worker."""

    async def count_overdue() -> None:
        try:
            overdue = await sink.refresh_overdue(datetime.now(UTC))
        except Exception as exc:  # the store may be down: the agent retries its own writes
            log.warning("could not count the overdue dossiers", error=repr(exc))
            return
        log.debug("overdue dossiers counted", overdue=overdue)

    app.timer(interval=every_s, name="count-overdue-dossiers")(count_overdue)
