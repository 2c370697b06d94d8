"""`lienthong connect run FILE` as an operator runs it, on the session's broker: the
one-stop-shop simulator fills its outbox, the connector publishes it, serves its metrics,
and stops cleanly on SIGTERM; a broken connectors file is refused in one line."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from connectors.contract import Domain
from lienthong.settings import Settings
from tests.cli_env import lienthong_env
from tests.conftest import free_port
from tests.integration.connector_contract import published_events

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

EVENTS = 60
WAIT_S = 90.0

CONNECTORS = """\
connectors:
  - name: {name}
    kind: outbox
    agency: 000.00.00.H41
    system: motcua
    domains: [dossiers]
    options:
      dsn: ${{MOTCUA_DB_DSN}}
      payload_format: motcua
      routes: {{dossier: dossiers}}
      poll_interval_s: 0.1
"""


def _environment(settings: Settings) -> dict[str, str]:
    return lienthong_env(
        settings,
        LIENTHONG_LOG__JSON_LINES="true",
        MOTCUA_DB_DSN=f"sqlite:///{settings.var_dir / 'source' / 'motcua.db'}",
    )


def _lienthong(*args: str) -> list[str]:
    return [sys.executable, "-m", "lienthong", *args]


def _published_metric(port: int, name: str) -> int | None:
    """lienthong_connector_published_total of connector `name`; None until it is served."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            text = answer.read().decode("utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("lienthong_connector_published_total{") and f'"{name}"' in line:
            return int(float(line.rsplit(" ", 1)[1]))
    return None


def test_connect_run_publishes_the_outbox_serves_metrics_and_stops_on_sigterm(
    bus_settings: Settings, tmp_path: Path
) -> None:
    env, name = _environment(bus_settings), bus_settings.connector.name
    simulated = subprocess.run(
        _lienthong("simulate", "onestop", "--events", str(EVENTS), "--rate", "500"),
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert simulated.returncode == 0, simulated.stderr
    connectors = tmp_path / "connectors.yaml"
    connectors.write_text(CONNECTORS.format(name=name), encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        _lienthong("connect", "run", str(connectors), "--metrics-port", str(port)),
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + WAIT_S
        while _published_metric(port, name) != EVENTS:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, f"metrics never showed {EVENTS} published"
            time.sleep(0.3)
        events = asyncio.run(published_events(bus_settings, Domain.DOSSIERS))
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert len(events) == EVENTS
    assert {e.event.envelope.source_system for e in events} == {"motcua"}
    assert process.returncode == 0, stderr
    [summary] = [line for line in stdout.splitlines() if line.startswith(f"{name}: ")]
    assert summary.startswith(f"{name}: published {EVENTS} events, 0 dead letters, ")
    assert summary.endswith(f"; position {EVENTS}")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param("connectors:\n  - name: a\n   kind: [\n", "is not valid YAML", id="not-yaml"),
        pytest.param(
            CONNECTORS.format(name="motcua").replace("domains:", "domain:"),
            "connectors.0.domains: Field required",
            id="misspelt-field",
        ),
        pytest.param(
            CONNECTORS.format(name="motcua").replace("payload_format", "payload_fromat"),
            "payload_fromat: Extra inputs are not permitted",
            id="misspelt-option",
        ),
    ],
)
def test_a_broken_connectors_file_exits_2_with_one_line_naming_it(
    tmp_path: Path, text: str, problem: str
) -> None:
    connectors = tmp_path / "connectors.yaml"
    connectors.write_text(text, encoding="utf-8")
    env = {name: value for name, value in os.environ.items() if not name.startswith("LIENTHONG_")}
    env |= {"LIENTHONG_VAR_DIR": str(tmp_path / "var"), "MOTCUA_DB_DSN": "sqlite:///none.db"}

    result = subprocess.run(
        _lienthong("connect", "run", str(connectors)),
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 2, result.stdout + result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {connectors}")
    assert problem in line
