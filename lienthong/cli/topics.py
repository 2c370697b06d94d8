"""`lienthong topics`: the bus's topics, one topic in detail, and its records as they come."""

import asyncio
import json
from contextlib import aclosing
from typing import Annotated

import typer
from rich.table import Table

from lienthong.cli.observing import ONE_SHOT_TIMEOUT_S, echo_json, one_shot_settings, with_view
from lienthong.cli.running import run_until_signalled
from lienthong.cli.tables import number, stdout_console
from lienthong.cli.tail_format import Reading, record_json, record_lines
from lienthong.errors import RetriableError
from lienthong.observe import BusView, PartitionPlacement, TopicState, UnknownTopicError
from lienthong.observe.decoding import Undecodable, ValueDecoder
from lienthong.observe.documents import topic_detail_json, topic_json
from lienthong.observe.tail import TailedRecord, tail_records
from lienthong.serde import RegistryClient
from lienthong.settings import Settings

__all__ = ["topics_app"]

topics_app = typer.Typer(
    help="The bus's topics: sizes and offsets, one topic's configuration, its records live.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]


@topics_app.command("list")
def list_topics(
    include_internal: Annotated[
        bool, typer.Option("--all", help="Include internal topics (names starting with `_`).")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Every topic: partitions, replication, records held, end offsets, cleanup policy.

    JSON: {"topics": [{name, partitions, replication_factor, records, end_offset_total,
    dead_letter, cleanup_policy, retention_ms}]}.
    """
    settings = one_shot_settings()

    async def read(view: BusView) -> list[TopicState]:
        return await view.topics(include_internal=include_internal)

    topics = with_view(settings, read)
    if json_output:
        echo_json({"topics": [topic_json(topic) for topic in topics]})
        return
    table = Table(title=f"{len(topics)} topics on {settings.kafka.bootstrap_servers}")
    for column in ("topic", "partitions", "replication", "records", "end offsets", "cleanup"):
        table.add_column(column, justify="left" if column in ("topic", "cleanup") else "right")
    for topic in topics:
        table.add_row(
            topic.name,
            str(topic.partitions),
            str(topic.replication_factor),
            number(topic.records),
            number(topic.end_total),
            topic.config.get("cleanup.policy", "-"),
            style="red" if topic.is_dead_letter and topic.records else None,
        )
    stdout_console().print(table)


@topics_app.command()
def describe(
    topic: Annotated[str, typer.Argument(help="The topic's name.")],
    json_output: JsonOption = False,
) -> None:
    """One topic: its configuration and, per partition, offsets, leader and replicas.

    JSON: the keys of `topics list` plus config {name: value} and partition_offsets
    [{partition, begin_offset, end_offset, records, leader, replicas, in_sync_replicas}].
    """
    settings = one_shot_settings()

    async def read(view: BusView) -> tuple[TopicState, list[PartitionPlacement]]:
        return await view.topic(topic), await view.placements(topic)

    state, placements = with_view(settings, read)
    document = topic_detail_json(state, placements)
    if json_output:
        echo_json(document)
        return
    console = stdout_console()
    console.print(
        f"{state.name}: {state.partitions} partitions, replication {state.replication_factor}, "
        f"{state.records:,} records"
    )
    partitions = Table("partition", "begin", "end", "records", "leader", "replicas", "in sync")
    for column in partitions.columns[:4]:
        column.justify = "right"
    for row in document["partition_offsets"]:
        partitions.add_row(
            str(row["partition"]),
            number(row["begin_offset"]),
            number(row["end_offset"]),
            number(row["records"]),
            str(row["leader"]),
            ",".join(str(r) for r in row["replicas"]),
            ",".join(str(r) for r in row["in_sync_replicas"]),
        )
    console.print(partitions)
    config = Table("config", "value", title="Configuration")
    for name, value in document["config"].items():
        config.add_row(name, value)
    console.print(config)


@topics_app.command()
def tail(
    topic: Annotated[str, typer.Argument(help="The topic's name.")],
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="Start at the oldest record held.")
    ] = False,
    decode: Annotated[
        bool,
        typer.Option("--decode", help="Decode Avro values through the schema registry."),
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Stop after this many records.")
    ] = None,
    partition: Annotated[
        int | None, typer.Option("--partition", min=0, help="Only this partition.")
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="One JSON object per record, one per line.")
    ] = False,
) -> None:
    """Print records as they arrive, until Ctrl-C (or --limit records).

    JSON lines: {topic, partition, offset, timestamp, key, headers, tombstone, value_length,
    value_preview, schema, envelope, payload, undecodable}.
    """
    settings = one_shot_settings()

    def show(record: TailedRecord, reading: Reading) -> None:
        if json_output:
            typer.echo(json.dumps(record_json(record, reading), ensure_ascii=False))
        else:
            typer.echo("\n".join(record_lines(record, reading)))

    async def follow(stop: asyncio.Event) -> None:
        partitions = await _partitions(settings, topic, partition)
        registry = RegistryClient.from_settings(settings.registry) if decode else None
        decoder = ValueDecoder(registry) if registry is not None else None
        records = tail_records(
            settings,
            topic,
            partitions,
            stop,
            from_beginning=from_beginning,
            request_timeout_s=ONE_SHOT_TIMEOUT_S,
        )
        shown = 0
        try:
            async with aclosing(records):
                async for record in records:
                    show(record, await _reading(decoder, record))
                    shown += 1
                    if limit is not None and shown >= limit:
                        break
        finally:
            if registry is not None:
                await registry.close()

    run_until_signalled(follow)


async def _partitions(settings: Settings, topic: str, only: int | None) -> list[int]:
    """The topic's partitions, or just `only`; an unknown topic or partition is refused."""
    async with BusView(settings, request_timeout_s=ONE_SHOT_TIMEOUT_S) as view:
        partitions = [placement.partition for placement in await view.placements(topic)]
    if only is None:
        return partitions
    if only not in partitions:
        raise UnknownTopicError(f"topic {topic} has no partition {only}")
    return [only]


async def _reading(decoder: ValueDecoder | None, record: TailedRecord) -> Reading:
    if decoder is None or record.value is None:
        return None
    try:
        return await decoder.decode(record.value)
    except RetriableError as exc:  # the registry is down: say so and go on tailing
        return Undecodable(str(exc), len(record.value))
