"""`lienthong demo` as a user runs it: three departments through their connectors, then a
centre equal to each source."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import REPO_ROOT, free_port

pytestmark = pytest.mark.e2e


def _demo_env(var_dir: Path) -> dict[str, str]:
    """As a user runs it: the shipped privacy policy and a key of its own under var/, not
    the suite's keep-everything-clear policy (tests/privacy_env.py)."""
    user = {k: v for k, v in os.environ.items() if not k.startswith("LIENTHONG_PRIVACY__")}
    return user | {
        "LIENTHONG_VAR_DIR": str(var_dir),
        "LIENTHONG_DEV__BROKER_PORT": str(free_port()),
        "LIENTHONG_DEV__CONTROLLER_PORT": str(free_port()),
        "LIENTHONG_REGISTRY__PORT": str(free_port()),
        "LIENTHONG_DASHBOARD__PORT": str(free_port()),
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


def _versions(path: Path, query: str) -> dict[str, Any]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return {key: version for key, version in conn.execute(text(query))}
    finally:
        engine.dispose()


def _texts(path: Path, query: str) -> dict[str, str]:
    """Per key, its non-null text value."""
    return {key: value for key, value in _versions(path, query).items() if value is not None}


def test_demo_runs_the_bus_and_leaves_the_centre_equal_to_each_source(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    result = subprocess.run(
        [sys.executable, "-m", "lienthong", "demo", "--events", "150", "--rate", "150"],
        env=_demo_env(var_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The centre equals every source" in result.stdout
    assert "motcua-outbox=150/0 edoc-inbox=150/0" in result.stdout, "every input published"

    source, centre = var_dir / "source", var_dir / "centre.db"
    dossiers = _versions(source / "motcua.db", "SELECT dossier_no, version FROM dossiers")
    assert len(dossiers) > 20
    assert _versions(centre, "SELECT dossier_no, entity_version FROM dossiers") == dossiers
    parcels = _versions(
        source / "land.db", "SELECT parcel_id, row_version FROM parcels WHERE NOT deleted"
    )
    assert len(parcels) > 20
    assert _versions(centre, "SELECT parcel_id, entity_version FROM land_parcels") == parcels
    # Citizens' id numbers reach the centre only as keyed hashes (the shipped policy).
    applicant_ids = "SELECT dossier_no, applicant_id_number FROM dossiers"
    sent, kept = _texts(source / "motcua.db", applicant_ids), _texts(centre, applicant_ids)
    assert kept.keys() == sent.keys() and len(sent) == len(dossiers)
    assert not set(kept.values()) & set(sent.values())
    assert {len(value) for value in kept.values()} == {64}  # HMAC-SHA256, hex
    assert (var_dir / "privacy" / "hash.key").stat().st_mode & 0o777 == 0o600
    documents = _versions(centre, "SELECT document_id, entity_version FROM documents")
    assert len(documents) > 10
    published = sorted((source / "edoc" / "inbox" / "done").iterdir())
    assert len(published) == 150, "every edXML file is moved out of the inbox once published"
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
