"""What the dashboard's browser test drives: `lienthong dashboard` in a subprocess, Debian's
Chromium through playwright, and dossier changes flowing onto the bus meanwhile."""

import asyncio
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from playwright.async_api import Page, async_playwright

from lienthong.codec import SCHEMA_HEADER
from lienthong.events import DossierChange
from lienthong.settings import Settings
from schemas import DOSSIER_CHANGE
from tests.cli_env import lienthong_env
from tests.factories import dossier_change
from tests.processes import stopped_on_exit
from tests.wire import encode_changes

__all__ = [
    "CHROMIUM",
    "chromium_page",
    "dashboard_env",
    "keep_producing",
    "produce_changes",
    "produce_poison",
    "running_dashboard",
]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY_S = 60.0
STOP_S = 30.0


def dashboard_env(settings: Settings, sample_every_s: float) -> dict[str, str]:
    """The LIENTHONG_* variables of `settings`, as an operator would export them."""
    return lienthong_env(
        settings,
        LIENTHONG_DASHBOARD__SAMPLE_EVERY_S=str(sample_every_s),
        LIENTHONG_LOG__JSON_LINES="true",
    )


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def running_dashboard(
    settings: Settings, port: int, log_path: Path, sample_every_s: float = 1.0
) -> Iterator[str]:
    """`lienthong dashboard --port PORT` until the block ends; yields its URL once /readyz
    answers 200. It must stop on SIGTERM with exit code 0."""
    url = f"http://127.0.0.1:{port}/"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "lienthong", "dashboard", "--port", str(port)],
            cwd=settings.var_dir.parent,
            env=dashboard_env(settings, sample_every_s),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    with stopped_on_exit(process, "the dashboard", lambda: _tail(log_path), STOP_S):
        deadline = time.monotonic() + READY_S
        while not _ready(url):
            if process.poll() is not None:
                pytest.fail(f"the dashboard exited {process.returncode}:\n{_tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"the dashboard never became ready:\n{_tail(log_path)}")
            time.sleep(0.2)
        yield url


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}readyz", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@asynccontextmanager
async def chromium_page() -> AsyncIterator[Page]:
    """A page of Debian's Chromium, headless, with a fresh profile of its own."""
    with tempfile.TemporaryDirectory(prefix="lienthong-chromium-") as profile:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1400, "height": 1000},
            )
            try:
                yield browser.pages[0] if browser.pages else await browser.new_page()
            finally:
                await browser.close()


def fresh_change(no: str, version: int) -> DossierChange:
    """A dossier change that happened now, so its source reads as healthy on the page."""
    change = dossier_change(no, version)
    now = datetime.now(UTC)
    envelope = change.envelope.model_copy(update={"occurred_at": now, "ingested_at": now})
    return change.model_copy(update={"envelope": envelope})


async def _framed_changes(settings: Settings, first: int, count: int) -> list[tuple[bytes, bytes]]:
    changes = [fresh_change(f"HS-{n:05d}", 1) for n in range(first, first + count)]
    framed = await encode_changes(settings, changes)
    return [(c.envelope.entity_key.encode(), v) for c, v in zip(changes, framed, strict=True)]


@asynccontextmanager
async def _dossier_producer(settings: Settings) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


async def _send(producer: AIOKafkaProducer, settings: Settings, key: bytes, value: bytes) -> None:
    headers = [(SCHEMA_HEADER, DOSSIER_CHANGE.encode())]
    await producer.send_and_wait(settings.topics.dossiers, key=key, value=value, headers=headers)


async def produce_changes(settings: Settings, count: int, first: int = 0) -> None:
    """`count` dossier changes, framed by the real serializer with the registry's schema."""
    records = await _framed_changes(settings, first, count)
    async with _dossier_producer(settings) as producer:
        for key, value in records:
            await _send(producer, settings, key, value)


async def produce_poison(settings: Settings, key: bytes, value: bytes) -> None:
    """Bytes that are no framed change, on the dossier topic, with the dossier schema header."""
    async with _dossier_producer(settings) as producer:
        await _send(producer, settings, key, value)


async def keep_producing(settings: Settings, stop: asyncio.Event, every_s: float = 0.3) -> int:
    """Five dossier changes every `every_s` until `stop` (at most 600); returns how many."""
    records = await _framed_changes(settings, 10_000, 600)
    sent = 0
    async with _dossier_producer(settings) as producer:
        while not stop.is_set() and sent < len(records):
            for key, value in records[sent : sent + 5]:
                await _send(producer, settings, key, value)
            sent += 5
            try:
                await asyncio.wait_for(stop.wait(), every_s)
            except TimeoutError:
                pass
    return sent
