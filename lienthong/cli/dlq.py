"""`lienthong dlq`: list, show and replay the dead letters of a topic."""

import asyncio
import json
import shutil
import sys
from typing import Annotated

import typer

from lienthong.cli.errors import exit_on_error
from lienthong.cli.observing import one_shot_settings
from lienthong.dlq import (
    NotReplayableError,
    detail_lines,
    key_text,
    letter_json,
    plan_replay,
    read_dead_letters,
    read_dead_letters_at,
    replay,
    replay_refusal,
    summary_line,
)
from lienthong.ids import TopicName
from lienthong.settings import Settings

__all__ = ["dlq_app"]

dlq_app = typer.Typer(
    help="Dead-letter topics: what failed and why, and replay of the records that can go back.",
    no_args_is_help=True,
)

TopicArgument = Annotated[
    str | None,
    typer.Argument(help="The dead-letter topic; default: the dossier topic's, `<dossiers>.dlq`."),
]
PartitionOption = Annotated[
    int, typer.Option("--partition", help="Partition of the dead-letter topic the offsets are in.")
]


def _dlq_topic(settings: Settings, given: str | None) -> TopicName:
    return TopicName(given) if given else settings.topics.dead_letter(settings.topics.dossiers)


def _message_width(line_without_message: int) -> int | None:
    """Room left for the message on a terminal; None (no truncation) when piped."""
    if not sys.stdout.isatty():
        return None
    return max(shutil.get_terminal_size().columns - line_without_message, 20)


@dlq_app.command("list")
def list_letters(
    topic: TopicArgument = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print every dead letter in full, as one JSON array.")
    ] = False,
) -> None:
    """One line per dead letter: offset, original place, stage, exception, message, key."""
    with exit_on_error():
        settings = one_shot_settings()
        letters_topic = _dlq_topic(settings, topic)
        letters = asyncio.run(read_dead_letters(settings, letters_topic))
    if json_output:
        typer.echo(json.dumps([letter_json(letter) for letter in letters], ensure_ascii=False))
        return
    if not letters:
        typer.echo(f"no dead letters in {letters_topic}", err=True)
    for letter in letters:
        bare = len(summary_line(letter, message_width=0))
        typer.echo(summary_line(letter, message_width=_message_width(bare)))


@dlq_app.command()
def show(
    offset: Annotated[int, typer.Argument(help="Offset of the dead letter in its topic.")],
    topic: TopicArgument = None,
    partition: PartitionOption = 0,
    json_output: Annotated[bool, typer.Option("--json", help="Print it as JSON.")] = False,
) -> None:
    """One dead letter in full: every header, the key and a preview of the value."""
    with exit_on_error():
        settings = one_shot_settings()
        (letter,) = asyncio.run(
            read_dead_letters_at(
                settings, _dlq_topic(settings, topic), [offset], partition=partition
            )
        )
    if json_output:
        typer.echo(json.dumps(letter_json(letter), ensure_ascii=False))
        return
    typer.echo("\n".join(detail_lines(letter)))


def split_offsets_and_topic(arguments: list[str]) -> tuple[list[int], str | None]:
    """`12 15 motcua.dossiers.dlq` -> ([12, 15], "motcua.dossiers.dlq"); the topic goes last."""
    offsets: list[int] = []
    for position, argument in enumerate(arguments):
        if argument.isdigit():
            offsets.append(int(argument))
        elif position == len(arguments) - 1:
            return offsets, argument
        else:
            raise typer.BadParameter(f"{argument!r} is not an offset; the topic goes last")
    return offsets, None


@dlq_app.command("replay")
def replay_letters(
    arguments: Annotated[
        list[str] | None,
        typer.Argument(
            help="Offsets of the dead letters to replay, then optionally the dead-letter topic.",
            metavar="OFFSET... [TOPIC]",
        ),
    ] = None,
    replay_all: Annotated[
        bool,
        typer.Option(
            "--all", help="Replay every replayable dead letter; connector ones are skipped."
        ),
    ] = False,
    partition: PartitionOption = 0,
) -> None:
    """Re-publish the stream worker's dead letters to their original topic, key and headers.

    A source connector's dead letter holds the raw outbox row, not a record of the topic:
    it is refused, and must be fixed at the source for the connector to publish it again.
    """
    offsets, given_topic = split_offsets_and_topic(arguments or [])
    if replay_all == bool(offsets):
        raise typer.BadParameter("give either offsets or --all")
    with exit_on_error():
        settings = one_shot_settings()
        topic = _dlq_topic(settings, given_topic)
        if replay_all:
            letters = asyncio.run(read_dead_letters(settings, topic, partition=partition))
            skipped = [letter for letter in letters if replay_refusal(letter) is not None]
            letters = [letter for letter in letters if replay_refusal(letter) is None]
        else:
            letters = asyncio.run(
                read_dead_letters_at(settings, topic, offsets, partition=partition)
            )
            skipped = []
            refusals = [r for letter in letters if (r := replay_refusal(letter)) is not None]
            if refusals:
                raise NotReplayableError("; ".join(refusals) + " (nothing was replayed)")
        done = asyncio.run(replay(settings, [plan_replay(letter) for letter in letters]))
    for sent in done:
        source = sent.plan.source
        typer.echo(
            f"replayed {source.topic}:{source.offset} -> {sent.topic}[{sent.partition}]"
            f"@{sent.offset} key={key_text(source.key)}"
        )
    for letter in skipped:
        typer.echo(f"skipped: {replay_refusal(letter)}", err=True)
    typer.echo(f"{len(done)} replayed, {len(skipped)} skipped")
