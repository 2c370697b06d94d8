"""Secrets stay secret: with every secret set to a recognisable value, the commands that
print configuration, status and errors (an unreachable database, a malformed DSN, a bad
key) never show one. Run as an operator runs them, in a subprocess."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, free_port

pytestmark = pytest.mark.e2e

CENTRE_PASSWORD = "Centre-Pw-5b1e"
SOURCE_PASSWORD = "Source-Pw-77c2"
HASH_KEY = "Privacy-Key-9f3a-0123456789abcdefghijkl"
SECRETS = (CENTRE_PASSWORD, SOURCE_PASSWORD, HASH_KEY)


def run(tmp_path: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    unreachable = free_port()  # nothing listens: every connection is refused
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO_ROOT),
        "LIENTHONG_VAR_DIR": str(tmp_path / "var"),
        "LIENTHONG_KAFKA__BOOTSTRAP_SERVERS": f"127.0.0.1:{unreachable}",
        "LIENTHONG_CENTRE__DSN": f"postgresql://centre:{CENTRE_PASSWORD}@127.0.0.1:{unreachable}/c",
        "LIENTHONG_SOURCE__DSN": f"postgresql://source:{SOURCE_PASSWORD}@127.0.0.1:{unreachable}/s",
        "LIENTHONG_PRIVACY__HASH_KEY": HASH_KEY,
        "LIENTHONG_LOG__JSON_LINES": "true",
    } | variables
    return subprocess.run(
        [sys.executable, "-m", "lienthong", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_no_secret(done: subprocess.CompletedProcess[str]) -> None:
    shown = done.stdout + done.stderr
    for secret in SECRETS:
        assert secret not in shown, shown
    assert "Traceback" not in shown, shown


@pytest.mark.parametrize(
    "command",
    [("centre", "status"), ("centre", "status", "--json"), ("reconcile",), ("audit", "verify")],
)
def test_an_unreachable_database_is_reported_without_its_password(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    done = run(tmp_path, *command)
    assert done.returncode != 0
    assert "***" in done.stderr
    assert_no_secret(done)


def test_a_malformed_dsn_is_reported_masked(tmp_path: Path) -> None:
    malformed = f"postgresql//centre:{CENTRE_PASSWORD}@127.0.0.1:5432/c"
    done = run(tmp_path, "centre", "status", LIENTHONG_CENTRE__DSN=malformed)
    assert done.returncode == 2
    assert "postgresql//centre:***@127.0.0.1:5432/c is not a URL" in done.stderr
    assert_no_secret(done)


def test_a_bad_hash_key_is_reported_without_being_shown(tmp_path: Path) -> None:
    short = "Short-Key-1a2b"
    done = run(tmp_path, "centre", "status", LIENTHONG_PRIVACY__HASH_KEY=short)
    assert done.returncode == 2
    assert "needs at least 32" in done.stderr
    assert short not in done.stdout + done.stderr
