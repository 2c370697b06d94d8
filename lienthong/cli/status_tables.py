"""`lienthong status`'s report as rich tables, one per part of the bus."""

from datetime import datetime

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from lienthong.cli.tables import LEVEL_STYLES, ago, duration, moment, number, up_down
from lienthong.observe import BusStatus
from lienthong.settings import Settings

__all__ = ["status_renderables"]

STATE_STYLES = {"RUNNING": "green", "FAILED": "red", "UNASSIGNED": "red"}
"""Connector states by colour; any other (paused, stopped, starting) is amber."""


def status_renderables(report: BusStatus, settings: Settings) -> list[RenderableType]:
    parts: list[RenderableType] = [_components(report)]
    if report.connectors:
        parts.append(_connectors(report, settings.connector.heartbeat_every_s))
    parts.append(_sources(report, settings) if report.sources else Text("No source yet."))
    parts.append(
        _dead_letters(report) if report.dead_letters else Text("No dead-letter topic yet.")
    )
    if report.centre:
        parts.append(_centre(report))
    if report.subjects:
        parts.append(_subjects(report))
    return parts


NUMERIC = frozenset(
    {"published", "dead letters", "events", "records", "current rows", "history rows", "behind"}
)


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="right" if column in NUMERIC else "left")
    return table


def _components(report: BusStatus) -> Table:
    table = _table(f"Bus status at {moment(report.at)}", "component", "", "detail")
    for component in report.components:
        table.add_row(component.name, up_down(component.up), component.detail)
    return table


def _connectors(report: BusStatus, heartbeat_s: float) -> Table:
    columns = ("connector", "kind", "agency", "state", "worker", "reported", "published")
    table = _table("Connectors", *columns, "dead letters", "error")
    for c in report.connectors:
        state = c.effective_state(report.at, heartbeat_s)
        table.add_row(
            c.name,
            c.kind,
            c.agency,
            Text(state, style=STATE_STYLES.get(state, "yellow")),
            c.worker,
            ago(c.reported_at, report.at),
            number(c.published),
            number(c.dead_lettered),
            c.error or "",
        )
    return table


def _sources(report: BusStatus, settings: Settings) -> Table:
    columns = ("agency", "system", "last event", "age", "freshness", "applied", "events")
    table = _table("Sources: how fresh the centre is", *columns)
    now: datetime = report.at
    for s in report.sources:
        level = s.level(now, settings.observe)
        table.add_row(
            s.agency,
            s.system,
            moment(s.last_event_at),
            duration(s.age_s(now)),
            Text(level, style=LEVEL_STYLES[level]),
            ago(s.last_applied_at, now),
            number(s.events_applied),
        )
    return table


def _dead_letters(report: BusStatus) -> Table:
    table = _table("Dead letters", "topic", "records")
    for topic, count in sorted(report.dead_letters.items()):
        table.add_row(topic, Text(number(count), style="red" if count else "green"))
    return table


def _centre(report: BusStatus) -> Table:
    columns = ("kind", "topic", "current rows", "history rows", "last synced", "behind")
    table = _table("Centre sync", *columns)
    for k in report.centre:
        table.add_row(
            k.kind,
            k.topic,
            number(k.current_rows),
            number(k.history_rows),
            ago(k.last_synced_at, report.at),
            Text(number(k.behind), style="yellow" if k.behind else "green"),
        )
    return table


def _subjects(report: BusStatus) -> Table:
    table = _table("Schema subjects", "subject", "versions")
    for subject in report.subjects:
        table.add_row(subject.subject, ", ".join(str(v) for v in subject.versions))
    return table
