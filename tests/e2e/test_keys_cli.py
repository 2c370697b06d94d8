"""`lienthong keys` as an operator runs it against the session's broker: generate, add, list,
rotate, revoke; private keys stay in owner-only files and never reach the terminal."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lienthong.settings import Settings
from lienthong.trust import key_id_for, load_private_key, public_key_pem
from tests.cli_env import lienthong_env
from tests.conftest import free_port

pytestmark = pytest.mark.e2e

H41, G12 = "000.00.00.H41", "000.00.00.G12"


def keys(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lienthong", "keys", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def listed(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    result = keys(env, "list", "--json")
    assert result.returncode == 0, result.stderr
    return {entry["key_id"]: entry for entry in json.loads(result.stdout)}


def test_an_operator_generates_rotates_and_revokes_keys(
    bus_settings: Settings, tmp_path: Path
) -> None:
    env = lienthong_env(bus_settings)
    out = tmp_path / "keys"

    generated = keys(env, "generate", H41, "--out", str(out))
    assert generated.returncode == 0, generated.stderr
    private = out / f"{H41}.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    first = key_id_for(load_private_key(private).public_key())
    assert f"key {first} registered for agency {H41}" in generated.stdout
    assert "PRIVATE KEY" not in generated.stdout + generated.stderr
    assert (out / f"{H41}.pub.pem").read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")

    again = keys(env, "generate", H41, "--out", str(out))
    assert again.returncode == 2 and "exists: rotate the agency's key instead" in again.stderr

    made_elsewhere = Ed25519PrivateKey.generate().public_key()
    (tmp_path / "g12.pub.pem").write_bytes(public_key_pem(made_elsewhere))
    added = keys(env, "add", G12, "--public-key", str(tmp_path / "g12.pub.pem"))
    assert added.returncode == 0, added.stderr
    other = key_id_for(made_elsewhere)

    rotated = keys(env, "rotate", H41, "--out", str(out))
    assert rotated.returncode == 0, rotated.stderr
    second = key_id_for(load_private_key(private).public_key())
    assert second != first and f"retired: {first}" in rotated.stdout

    revoked = keys(env, "revoke", other, "--reason", "laptop stolen")
    assert revoked.returncode == 0, revoked.stderr

    registry = listed(env)
    assert {key: entry["status"] for key, entry in registry.items()} == {
        first: "retired",
        second: "active",
        other: "revoked",
    }
    assert registry[other]["agency_id"] == G12
    assert registry[other]["reason"] == "laptop stolen"

    table = keys(env, "list")
    assert table.returncode == 0 and second in table.stdout and "revoked" in table.stdout


def test_revoking_an_unknown_key_names_it(bus_settings: Settings) -> None:
    result = keys(lienthong_env(bus_settings), "revoke", "0" * 32, "--reason", "typo")
    assert result.returncode == 2
    assert f"no key {'0' * 32} in the key registry" in result.stderr


@pytest.mark.parametrize("command", [["list"], ["generate", H41, "--out", "keys"]])
def test_a_broker_that_is_down_is_one_line_and_leaves_no_key(
    tmp_path: Path, command: list[str]
) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("LIENTHONG_")}
    down = f"127.0.0.1:{free_port()}"
    env |= {"LIENTHONG_VAR_DIR": str(tmp_path), "LIENTHONG_KAFKA__BOOTSTRAP_SERVERS": down}
    result = subprocess.run(
        [sys.executable, "-m", "lienthong", "keys", *command],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: Kafka at {down} does not answer")
    assert not (tmp_path / "keys").exists() or not list((tmp_path / "keys").iterdir())
