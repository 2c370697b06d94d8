"""`lienthong reconcile` as an operator runs it, on the SQLite files under LIENTHONG_VAR_DIR."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete

from connectors.motcua import Simulator, create_source_engine, ensure_source_schema
from lienthong.settings import PrivacySettings, Settings
from streams.centre import open_centre
from streams.centre.schema import DOSSIERS
from tests.conftest import REPO_ROOT
from tests.integration.test_reconcile import NOW, feed_centre, source_rows

pytestmark = pytest.mark.e2e


def lienthong(var_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIENTHONG_")}
    env["LIENTHONG_VAR_DIR"] = str(var_dir)
    return subprocess.run(
        [sys.executable, "-m", "lienthong", *arguments],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_exit_codes_follow_the_centre_from_in_sync_to_drift_to_repaired(tmp_path: Path) -> None:
    # The shipped privacy policy on both sides: the child below starts without the suite's
    # LIENTHONG_* variables, so it applies the default policy with the key under var/.
    settings = Settings(var_dir=tmp_path / "var", privacy=PrivacySettings())
    source = create_source_engine(settings)
    ensure_source_schema(source)
    centre = open_centre(settings)
    try:
        Simulator(source, seed=3, clock=lambda: NOW).steps(40)
        feed_centre(settings, source, centre)
        lost = sorted(source_rows(source))[0]

        clean = lienthong(settings.var_dir, "reconcile")
        assert clean.returncode == 0, clean.stderr
        assert clean.stdout.splitlines()[-1] == "in sync"

        with centre.begin() as conn:
            conn.execute(delete(DOSSIERS).where(DOSSIERS.c.dossier_no == lost))
        drift = lienthong(settings.var_dir, "reconcile")
        assert drift.returncode == 1, drift.stderr
        assert "missing in centre: 1" in drift.stdout.splitlines()
        assert f"  {lost}  source v" in drift.stdout

        as_json = lienthong(settings.var_dir, "reconcile", "--json")
        assert as_json.returncode == 1, as_json.stderr
        document = json.loads(as_json.stdout)
        assert document["in_sync"] is False
        assert document["drift"]["missing_in_centre"]["first"][0]["key"] == lost

        repaired = lienthong(settings.var_dir, "reconcile", "--repair")
        assert repaired.returncode == 0, repaired.stderr
        assert "re-published 1 outbox rows" in repaired.stdout
        assert f"snapshot  {lost}" in repaired.stdout
    finally:
        source.dispose()
        centre.dispose()


def test_a_missing_database_is_a_configuration_error(tmp_path: Path) -> None:
    result = lienthong(tmp_path / "nothing-here", "reconcile")
    assert result.returncode == 2
    assert "error: no source database at" in result.stderr
    assert not (tmp_path / "nothing-here" / "source" / "motcua.db").exists()
