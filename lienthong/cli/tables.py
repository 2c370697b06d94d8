"""Rich rendering shared by the operators' commands: a console, durations, styled cells.

Data is never read as rich markup: a topic named `a[b]` prints as it is.
"""

import sys
from datetime import UTC, datetime

from rich.console import Console
from rich.text import Text

__all__ = ["LEVEL_STYLES", "ago", "duration", "moment", "number", "stdout_console", "up_down"]

LEVEL_STYLES = {"healthy": "green", "late": "yellow", "silent": "red"}


def stdout_console() -> Console:
    """The terminal's width on a terminal; wide when piped, so tables never fold."""
    width = None if sys.stdout.isatty() else 200
    return Console(markup=False, highlight=False, soft_wrap=False, width=width)


def duration(seconds: float | None) -> str:
    """`4.2 s`, `3 min 20 s`, `2 h 5 min`, `3 d 4 h`; `-` when unknown."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = int(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    if whole < 86400:
        return f"{whole // 3600} h {whole % 3600 // 60} min"
    return f"{whole // 86400} d {whole % 86400 // 3600} h"


def moment(at: datetime | None) -> str:
    """`2025-07-01 08:30:15Z` (UTC, to the second); `-` when unknown."""
    if at is None:
        return "-"
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def ago(at: datetime | None, now: datetime) -> str:
    return "-" if at is None else duration(max((now - at).total_seconds(), 0.0)) + " ago"


def number(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def up_down(up: bool) -> Text:
    return Text("up", style="bold green") if up else Text("down", style="bold red")
