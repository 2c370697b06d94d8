"""`lienthong dashboard` as an operator sees it: headless Chromium on the page, a real broker
and registry, the stream worker applying dossier changes while more keep coming, and a
poison record that ends up in the dead-letter view with its reason."""

import asyncio
import json
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, expect

from lienthong.settings import KafkaSettings, Settings
from lienthong.topics import bus_topics, ensure_topics
from tests.conftest import REPO_ROOT, free_port
from tests.e2e.browser_support import (
    chromium_page,
    dashboard_env,
    keep_producing,
    produce_changes,
    produce_poison,
    running_dashboard,
)
from tests.integration.test_streams_worker import running_worker

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

WAIT_MS = 30_000
SCREENSHOT = REPO_ROOT / "var" / "artifacts" / "dashboard.png"
POISON = b"\x02not a dossier change"


def _topic_cell(page: Page, topic: str, test_id: str) -> Locator:
    row = page.locator(f'[data-testid="topic-row"][data-topic="{topic}"]')
    return row.get_by_test_id(test_id)


async def _shows_the_bus(page: Page, settings: Settings) -> None:
    await expect(page).to_have_title(re.compile("lienthong"))
    kafka = page.get_by_test_id("pill-kafka")
    await expect(kafka).to_have_attribute("data-up", "true", timeout=WAIT_MS)
    topics = settings.topics
    for topic in (*topics.centre_sources, *map(topics.dead_letter, topics.centre_sources)):
        row = page.locator(f'[data-testid="topic-row"][data-topic="{topic}"]')
        await expect(row).to_be_visible(timeout=WAIT_MS)


async def _numbers_move_while_events_flow(page: Page, settings: Settings) -> None:
    dossiers = settings.topics.dossiers
    end_total = _topic_cell(page, dossiers, "topic-end-total")
    await expect(end_total).to_have_text("20", timeout=WAIT_MS)
    stop = asyncio.Event()
    flowing = asyncio.create_task(keep_producing(settings, stop))
    try:
        await expect(end_total).not_to_have_text("20", timeout=WAIT_MS)
        assert int((await end_total.inner_text()).replace(",", "")) > 20
        throughput = _topic_cell(page, dossiers, "topic-throughput")
        await expect(throughput).to_have_text(re.compile(r"^[1-9][\d,.]*/s$"), timeout=WAIT_MS)
    finally:
        stop.set()
        sent = await flowing
    assert sent > 0


async def _poison_shows_in_the_dead_letter_view(page: Page, settings: Settings) -> None:
    dossiers = settings.topics.dossiers
    await produce_poison(settings, b"HS-POISON", POISON)
    row = page.locator(
        f'[data-testid="dlq-row"][data-topic="{settings.topics.dead_letter(dossiers)}"]'
    )
    await expect(row.get_by_test_id("dlq-count")).to_have_text("1", timeout=WAIT_MS)
    await row.click()
    letter = page.get_by_test_id("dead-letter")
    await expect(letter).to_have_count(1, timeout=WAIT_MS)
    await expect(letter.get_by_test_id("dead-letter-reason")).to_contain_text("magic byte")
    await expect(letter.get_by_test_id("dead-letter-exception")).to_have_text("WireFormatError")
    await expect(letter).to_contain_text(f"{dossiers}[")
    await expect(letter).to_contain_text("HS-POISON")


async def test_the_dashboard_shows_the_bus_live_in_a_browser(
    bus_settings: Settings, tmp_path: Path
) -> None:
    await ensure_topics(bus_settings, bus_topics(bus_settings))
    await produce_changes(bus_settings, 20)
    with (
        running_worker(bus_settings, tmp_path / "worker.log"),
        running_dashboard(bus_settings, free_port(), tmp_path / "dashboard.log") as url,
    ):
        async with chromium_page() as page:
            await page.goto(url)
            await _shows_the_bus(page, bus_settings)
            await _numbers_move_while_events_flow(page, bus_settings)
            await _poison_shows_in_the_dead_letter_view(page, bus_settings)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SCREENSHOT), full_page=True)
            print(f"dashboard screenshot: {SCREENSHOT}")


def test_with_kafka_down_the_dashboard_still_serves_and_says_so(tmp_path: Path) -> None:
    nowhere = f"127.0.0.1:{free_port()}"
    settings = Settings(var_dir=tmp_path / "var", kafka=KafkaSettings(bootstrap_servers=nowhere))
    with running_dashboard(settings, free_port(), tmp_path / "dashboard.log") as url:
        with urllib.request.urlopen(f"{url}api/overview", timeout=10) as answer:
            overview = json.load(answer)
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert "Bảng điều khiển" in answer.read().decode()
    assert overview["kafka_up"] is False
    kafka = overview["components"][0]
    assert (kafka["name"], kafka["up"]) == ("kafka", False)
    assert f"Kafka at {nowhere} does not answer" in overview["problem"]


def test_a_port_already_taken_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = Settings(var_dir=tmp_path / "var")
        result = subprocess.run(
            [sys.executable, "-m", "lienthong", "dashboard", "--port", str(port)],
            cwd=tmp_path,
            env=dashboard_env(settings, sample_every_s=1.0),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == (
        f"error: port {port} on 127.0.0.1 is taken by another process; choose another with --port"
    )
