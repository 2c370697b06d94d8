"""`lienthong simulate edoc`: realistic edXML document traffic, into a folder or the HTTP API."""

import asyncio
import os
from pathlib import Path
from typing import Annotated, Final

import typer

from connectors.edxml.simulated_sinks import FolderSink, HttpSink
from connectors.edxml.simulator import EdocSimulator
from lienthong.cli.errors import exit_on_error
from lienthong.cli.running import run_until_signalled
from lienthong.errors import ConfigurationError

__all__ = ["HMAC_SECRET_VARIABLE", "edoc"]

HMAC_SECRET_VARIABLE: Final = "LIENTHONG_EDXML_HMAC_SECRET"
"""The credential's HMAC secret for signed posts: from the environment only, never an
argument (arguments show in `ps` and shell history)."""


def edoc(
    folder: Annotated[
        Path | None,
        typer.Option(help="Write each package or status as a file here (for edxml_folder)."),
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="POST each one to URL/v1/edxml instead of a folder.")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(envvar="LIENTHONG_EDXML_TOKEN", help="Bearer token for --url."),
    ] = None,
    rate: Annotated[float, typer.Option(help="Inputs per second.", min=0.001)] = 5.0,
    events: Annotated[int | None, typer.Option(help="Stop after this many.", min=1)] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same documents.")] = 0,
) -> None:
    """Simulate agencies exchanging e-documents: new documents, their statuses (01 arrived,
    03 accepted, 05 processing, 06 done), revocations and updates, as edXML.

    Files are written as `.name.tmp` and renamed, so a watching connector never reads half.
    With --url, each POST is signed (HMAC-SHA256) when LIENTHONG_EDXML_HMAC_SECRET holds the
    credential's secret. Ctrl-C stops after the current input.
    """
    with exit_on_error():
        if (folder is None) == (url is None):
            raise ConfigurationError("give either --folder or --url")
        if url is not None and not token:
            raise ConfigurationError("--url needs --token (or LIENTHONG_EDXML_TOKEN)")
        if folder is not None and not folder.is_dir():
            raise ConfigurationError(f"no folder {folder}")
    simulator = EdocSimulator(seed)
    secret = os.environ.get(HMAC_SECRET_VARIABLE) or None
    done = run_until_signalled(
        lambda stop: _simulate(simulator, folder, url, token or "", secret, rate, events, stop)
    )
    summary = ", ".join(f"{kind} {count}" for kind, count in sorted(simulator.counts.items()))
    typer.echo(f"{done} edXML inputs: {summary}")


async def _simulate(
    simulator: EdocSimulator,
    folder: Path | None,
    url: str | None,
    token: str,
    hmac_secret: str | None,
    rate: float,
    events: int | None,
    stop: asyncio.Event,
) -> int:
    if folder is not None:
        return await simulator.run(FolderSink(folder).put, rate, events, stop)
    assert url is not None
    async with HttpSink(url, token, hmac_secret) as sink:
        return await simulator.run(sink.put, rate, events, stop)
