"""The demo's progress: a live panel on a terminal, a line every few seconds elsewhere."""

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from lienthong.demo.snapshot import DemoSnapshot, SyncState

__all__ = ["LinePrinter", "LivePanel", "render_panel", "summary_line"]


def _sync_text(sync: SyncState) -> Text:
    if sync.in_sync:
        return Text("in sync", style="green")
    gaps = [
        f"{count:,} {what}"
        for count, what in (
            (sync.pending, "queued"),
            (sync.missing, "missing"),
            (sync.behind, "behind"),
            (sync.extra, "to delete"),
        )
        if count
    ]
    return Text(", ".join(gaps), style="yellow")


def _departments_table(snapshot: DemoSnapshot) -> Table:
    table = Table(box=None, padding=(0, 1), header_style="bold")
    table.add_column("department", no_wrap=True)
    table.add_column("activity", justify="right")
    table.add_column("connector", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    for title in ("published", "dead", "source", "centre"):
        table.add_column(title, justify="right", no_wrap=True)
    table.add_column("sync")
    for department in snapshot.departments:
        sync = department.sync
        dead = department.dead_lettered
        table.add_row(
            department.title,
            f"{department.activities:,}",
            department.connector,
            department.kind,
            f"{department.published:,}",
            Text(f"{dead:,}", style="red" if dead else ""),
            f"{sync.source:,} {sync.entities}",
            f"{sync.centre:,}",
            _sync_text(sync),
        )
    return table


def _centre_text(snapshot: DemoSnapshot) -> Text:
    kinds = " · ".join(f"{name} {counts.live:,}" for name, counts in snapshot.centre.items())
    applied = sum(counts.history for counts in snapshot.centre.values())
    kinds += f" (changes applied: {applied:,})"
    lag = "-" if snapshot.lag is None else f"{snapshot.lag:,}"
    worker = ("running", "green") if snapshot.worker_alive else ("down", "red")
    return Text.assemble(
        ("centre ", "bold"), kinds, ("\nstream worker ", "bold"), worker, f" · lag {lag}"
    )


def render_panel(snapshot: DemoSnapshot, phase: str) -> Group:
    title = Text.assemble(
        ("lienthong demo ", "bold cyan"), f"· {phase} · {snapshot.elapsed_s:,.0f} s"
    )
    verdict = (
        Text("the centre equals every source", style="bold green")
        if snapshot.in_sync
        else Text("catching up", style="yellow")
    )
    return Group(title, _departments_table(snapshot), _centre_text(snapshot), verdict)


def summary_line(snapshot: DemoSnapshot, phase: str) -> str:
    """One line of key=value pairs; `connector=published/dead` and `entities=centre/source`."""
    lag = "-" if snapshot.lag is None else str(snapshot.lag)
    connectors = " ".join(
        f"{d.connector}={d.published}/{d.dead_lettered}" for d in snapshot.departments
    )
    entities = " ".join(
        f"{d.sync.entities.replace(' ', '_')}={d.sync.centre}/{d.sync.source}"
        for d in snapshot.departments
    )
    return (
        f"[{phase} {snapshot.elapsed_s:6.1f}s] activity={snapshot.activities} "
        f"published={snapshot.published} dead_letters={snapshot.dead_lettered} lag={lag} "
        f"{connectors} {entities} in_sync={'yes' if snapshot.in_sync else 'no'}"
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
