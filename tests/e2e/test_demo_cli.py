"""`lienthong demo` as a user runs it: the whole bus, then a centre equal to the source."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import REPO_ROOT, free_port

pytestmark = pytest.mark.e2e


def _demo_env(var_dir: Path) -> dict[str, str]:
    return os.environ | {
        "LIENTHONG_VAR_DIR": str(var_dir),
        "LIENTHONG_DEV__BROKER_PORT": str(free_port()),
        "LIENTHONG_DEV__CONTROLLER_PORT": str(free_port()),
        "LIENTHONG_REGISTRY__PORT": str(free_port()),
        "LIENTHONG_DEV__LIBS_DIR": str(REPO_ROOT / "var" / "kafka" / "libs"),
    }


def _processes_mentioning(fragment: str) -> list[str]:
    """Processes whose command line or environment names `fragment` (the broker has the
    var dir on its command line, the stream worker in LIENTHONG_VAR_DIR)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = (entry / "environ").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if fragment in cmdline or fragment in environ:
            found.append(f"{entry.name}: {cmdline}")
    return found


def _live_versions(path: Path, version_column: str) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT dossier_no, {version_column} FROM dossiers"))
            return {key: version for key, version in rows}
    finally:
        engine.dispose()


def test_demo_runs_the_bus_and_leaves_the_centre_equal_to_the_source(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    result = subprocess.run(
        [sys.executable, "-m", "lienthong", "demo", "--events", "400", "--rate", "200"],
        env=_demo_env(var_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The centre equals the source" in result.stdout

    source = _live_versions(var_dir / "source" / "motcua.db", "version")
    centre = _live_versions(var_dir / "centre.db", "entity_version")
    assert len(source) > 50
    assert centre == source
    assert _processes_mentioning(str(var_dir)) == []


def test_ctrl_c_stops_everything_the_demo_started(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    demo = subprocess.Popen(
        [sys.executable, "-m", "lienthong", "demo", "--rate", "20"],
        env=_demo_env(var_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        assert demo.stdout is not None
        for line in demo.stdout:
            if "published=" in line and "published=0 " not in line:
                break
            assert time.monotonic() < deadline, "the demo never published an event"
        demo.send_signal(signal.SIGINT)
        output, _ = demo.communicate(timeout=90)
    finally:
        if demo.poll() is None:
            demo.kill()
    assert demo.returncode == 0, output
    assert "Stopped on request" in output
    assert _processes_mentioning(str(var_dir)) == []
