"""The demo's progress: a live panel on a terminal, a line every few seconds elsewhere."""

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from lienthong.demo.snapshot import DemoSnapshot

__all__ = ["LinePrinter", "LivePanel", "render_panel", "summary_line"]


def _sync_text(snapshot: DemoSnapshot) -> Text:
    sync = snapshot.sync
    if sync.in_sync:
        return Text(f"in sync: {sync.centre_dossiers:,} dossiers", style="bold green")
    return Text(
        f"catching up: {sync.missing:,} missing, {sync.behind:,} behind, {sync.extra:,} to delete",
        style="yellow",
    )


def render_panel(snapshot: DemoSnapshot, phase: str) -> Group:
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("source activity (simulated)", f"{snapshot.activities:,}")
    table.add_row("outbox rows", f"{snapshot.outbox_newest or 0:,}")
    table.add_row("events published", f"{snapshot.published:,}")
    dead = Text(f"{snapshot.dead_lettered:,}", style="red" if snapshot.dead_lettered else "")
    table.add_row("dead letters", dead)
    table.add_row("centre lag (offsets)", "-" if snapshot.lag is None else f"{snapshot.lag:,}")
    table.add_row("source dossiers", f"{snapshot.sync.source_dossiers:,}")
    table.add_row("centre dossiers", f"{snapshot.sync.centre_dossiers:,}")
    worker = Text("running", style="green") if snapshot.worker_alive else Text("down", style="red")
    table.add_row("stream worker", worker)
    title = Text.assemble(
        ("lienthong demo ", "bold cyan"), f"· {phase} · {snapshot.elapsed_s:,.0f} s"
    )
    return Group(title, table, _sync_text(snapshot))


def summary_line(snapshot: DemoSnapshot, phase: str) -> str:
    sync = snapshot.sync
    lag = "-" if snapshot.lag is None else str(snapshot.lag)
    return (
        f"[{phase} {snapshot.elapsed_s:6.1f}s] activity={snapshot.activities} "
        f"outbox={snapshot.outbox_newest or 0} published={snapshot.published} "
        f"dead_letters={snapshot.dead_lettered} lag={lag} "
        f"source={sync.source_dossiers} centre={sync.centre_dossiers} "
        f"in_sync={'yes' if sync.in_sync else 'no'}"
    )


class LivePanel:
    """Redraws one panel in place on a terminal."""

    def __init__(self, console: Console) -> None:
        self._live = Live(console=console, refresh_per_second=4, transient=False)

    def __enter__(self) -> "LivePanel":
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.__exit__(None, None, None)

    def __call__(self, snapshot: DemoSnapshot, phase: str) -> None:
        self._live.update(render_panel(snapshot, phase))


class LinePrinter:
    """Prints a progress line at most every `every_s` seconds of demo time, for logs and CI."""

    def __init__(self, console: Console, every_s: float = 2.0) -> None:
        self._console = console
        self._every_s = every_s
        self._next_at = 0.0

    def __enter__(self) -> "LinePrinter":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, snapshot: DemoSnapshot, phase: str) -> None:
        if snapshot.elapsed_s >= self._next_at:
            self._console.print(
                summary_line(snapshot, phase), highlight=False, markup=False, soft_wrap=True
            )
            self._next_at = snapshot.elapsed_s + self._every_s
