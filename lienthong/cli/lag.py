"""`lienthong lag`: how far a consumer group is behind, in records and in event time."""

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table

from lienthong.cli.observing import echo_json, one_shot_settings, with_view
from lienthong.cli.tables import duration, moment, number, stdout_console
from lienthong.observe import BusView, PartitionLag
from lienthong.observe.documents import lag_json

__all__ = ["lag"]

BAR_WIDTH = 20


def lag(
    group: Annotated[
        str | None,
        typer.Argument(help="The consumer group; default: the stream worker's (streams.app_id)."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Per partition: end offset, committed offset, lag, and the age of the last event the
    group got past (event-time lag).

    Lag counts offsets, as Kafka's kafka-consumer-groups does: on a topic written in
    transactions it includes the commit markers, so it may stay above 0 once all is read
    (`lienthong status` counts the centre's backlog in records).

    JSON: {group, at, total_lag, partitions: [{topic, partition, end_offset, committed_offset,
    lag, last_applied_at, event_time_lag_s}]}. A group that committed nothing exits 1.
    """
    settings = one_shot_settings()
    group_id = group or settings.streams.app_id

    async def read(view: BusView) -> list[PartitionLag]:
        return await view.group_lag(group_id)

    lags = with_view(settings, read)
    now = datetime.now(UTC)
    if json_output:
        echo_json(lag_json(group_id, lags, now))
        return
    console = stdout_console()
    table = Table(title=f"Lag of consumer group {group_id}", show_footer=True)
    table.add_column("topic", footer="total")
    table.add_column("partition", justify="right")
    table.add_column("end offset", justify="right", footer=number(sum(x.end_offset for x in lags)))
    table.add_column("committed", justify="right")
    table.add_column("lag", justify="right", footer=number(sum(x.lag for x in lags)))
    table.add_column("event-time lag", justify="right")
    table.add_column("last applied event")
    if console.is_terminal:
        table.add_column("progress", width=BAR_WIDTH)
    for partition in lags:
        cells: list[RenderableType] = [
            partition.topic,
            str(partition.partition),
            number(partition.end_offset),
            number(partition.committed),
            number(partition.lag),
            duration(partition.event_time_lag_s(now)),
            moment(partition.last_applied_at),
        ]
        if console.is_terminal:
            cells.append(_bar(partition))
        table.add_row(*cells, style="yellow" if partition.lag else None)
    console.print(table)


def _bar(partition: PartitionLag) -> ProgressBar:
    """Committed out of the end offset; an empty partition has nothing left to do."""
    if partition.end_offset <= 0:
        return ProgressBar(total=1, completed=1, width=BAR_WIDTH)
    done = min(partition.committed or 0, partition.end_offset)
    return ProgressBar(total=partition.end_offset, completed=done, width=BAR_WIDTH)
