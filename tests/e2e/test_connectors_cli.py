"""`lienthong connectors …` as an operator runs it, beside `lienthong connect run` in another
process: list, pause, resume, a refused reset, an unknown name; and every command against a
broker that is down."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from lienthong.settings import Settings
from tests.cli_env import lienthong_env
from tests.conftest import free_port
from tests.e2e.test_connect_cli import CONNECTORS

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

EVENTS = 20
WAIT_S = 90.0


def _environment(settings: Settings) -> dict[str, str]:
    return lienthong_env(
        settings,
        LIENTHONG_CONNECTOR__HEARTBEAT_EVERY_S="0.5",
        LIENTHONG_LOG__JSON_LINES="true",
        MOTCUA_DB_DSN=f"sqlite:///{settings.var_dir / 'source' / 'motcua.db'}",
    )


def _lienthong(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lienthong", *args],
        env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip


def _listed(env: dict[str, str], name: str) -> dict[str, Any] | None:
    result = _lienthong(env, "connectors", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return next((row for row in rows if row["name"] == name), None)


def _wait_listed(
    env: dict[str, str], name: str, state: str, process: subprocess.Popen[str]
) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_S
    while True:
        assert process.poll() is None, process.communicate()[1]
        row = _listed(env, name)
        if row is not None and row["effective_state"] == state:
            return row
        assert time.monotonic() < deadline, f"{name} never listed {state}: {row}"
        time.sleep(0.3)


def test_an_operator_lists_pauses_and_resumes_a_running_connector(
    bus_settings: Settings, tmp_path: Path
) -> None:
    env, name = _environment(bus_settings), bus_settings.connector.name
    simulated = _lienthong(env, "simulate", "onestop", "--events", str(EVENTS), "--rate", "500")
    assert simulated.returncode == 0, simulated.stderr
    connectors = tmp_path / "connectors.yaml"
    connectors.write_text(CONNECTORS.format(name=name), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "lienthong", "connect", "run", str(connectors)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + WAIT_S
        while (row := _wait_listed(env, name, "RUNNING", process))["published"] < EVENTS:
            assert time.monotonic() < deadline, f"never published {EVENTS}: {row}"
        assert row["kind"] == "outbox" and row["agency"] == "000.00.00.H41"
        assert row["worker"].endswith(f":{process.pid}")

        table = _lienthong(env, "connectors", "list")
        assert table.returncode == 0, table.stderr
        assert name in table.stdout and "RUNNING" in table.stdout

        refused = _lienthong(env, "connectors", "reset-offsets", name, "--yes")
        assert refused.returncode == 1
        assert f"stop it first: lienthong connectors stop {name}" in refused.stderr
        forget = _lienthong(env, "connect", "forget", str(connectors), name, "--yes")
        assert forget.returncode == 1
        assert "stop it first" in forget.stderr

        paused = _lienthong(env, "connectors", "pause", name)
        assert paused.returncode == 0, paused.stderr
        assert paused.stdout.startswith(f"{name}: PAUSED on ")
        assert _wait_listed(env, name, "PAUSED", process)["position"] == str(EVENTS)

        resumed = _lienthong(env, "connectors", "resume", name, "--wait-s", "60")
        assert resumed.returncode == 0, resumed.stderr
        assert resumed.stdout.startswith(f"{name}: RUNNING on ")

        unknown = _lienthong(env, "connectors", "pause", "no-such-connector")
        assert unknown.returncode == 2
        assert "no connector named no-such-connector" in unknown.stderr

        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    gone = _listed(env, name)
    assert gone is not None and gone["effective_state"] == "UNASSIGNED"


@pytest.mark.parametrize(
    "command",
    [
        ["list"],
        ["list", "--json"],
        ["pause", "c1"],
        ["resume", "c1"],
        ["stop", "c1"],
        ["restart", "c1"],
        ["reset-offsets", "c1", "--yes"],
    ],
    ids=lambda command: "-".join(command),
)
def test_every_command_says_in_one_line_that_the_broker_is_down(
    tmp_path: Path, command: list[str]
) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("LIENTHONG_")}
    down = f"127.0.0.1:{free_port()}"
    env |= {"LIENTHONG_VAR_DIR": str(tmp_path), "LIENTHONG_KAFKA__BOOTSTRAP_SERVERS": down}

    result = _lienthong(env, "connectors", *command)

    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: Kafka at {down} does not answer")
    assert result.stdout == ""
