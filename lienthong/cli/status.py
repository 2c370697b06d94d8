"""`lienthong status`: every component up or down, freshness per source, dead letters,
centre sync and schema subjects, in one report."""

from typing import Annotated

import typer

from lienthong.cli.observing import echo_json, one_shot_settings, with_view
from lienthong.cli.status_tables import status_renderables
from lienthong.cli.tables import stdout_console
from lienthong.observe import BusStatus, BusView, collect_status
from lienthong.observe.documents import status_json

__all__ = ["status"]


def status(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Exit 0 when every component is up, 1 when one is down (the report is printed either
    way), 2 when Kafka itself does not answer.

    JSON: {at, all_up, components[name, up, detail], connectors[…, effective_state], workers
    {group_id, state, members}, sources[agency, system, last_event_at, last_applied_at,
    events_applied, age_s, level], dead_letters{topic: records}, centre[kind, topic,
    current_rows, history_rows, last_synced_at, behind], subjects[subject, versions]}.
    """
    settings = one_shot_settings()

    async def read(view: BusView) -> BusStatus:
        return await collect_status(settings, view)

    report = with_view(settings, read)
    if json_output:
        echo_json(status_json(report, settings.observe, settings.connector.heartbeat_every_s))
    else:
        console = stdout_console()
        for renderable in status_renderables(report, settings):
            console.print(renderable)
    if not report.all_up:
        raise typer.Exit(code=1)
