"""`lienthong bench connect` measures what it claims: both sides run, the ratio is printed,
and the connector really committed every change of every run to its topic."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.integration


def test_prints_both_rates_and_their_ratio_after_publishing_every_change(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    # A child process, as a user runs it: the command configures logging for its process.
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIENTHONG_")}
    env |= {"PYTHONPATH": str(REPO_ROOT), "LIENTHONG_VAR_DIR": str(tmp_path / "var")}
    env |= {"COLUMNS": "200"}
    arguments = ["--records", "120", "--batch-size", "50", "--repeats", "2"]
    result = subprocess.run(
        [sys.executable, "-m", "lienthong", "bench", "connect", *arguments],
        env=env | {"LIENTHONG_KAFKA__BOOTSTRAP_SERVERS": kafka_bootstrap},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    rates = re.search(r"events/s\s*│\s*([\d,]+)\s*│\s*([\d,]+)\s*│\s*([\d.]+)%", result.stdout)
    assert rates is not None, result.stdout
    connector, raw, ratio = (float(figure.replace(",", "")) for figure in rates.groups())
    assert connector > 0
    assert raw > 0
    assert ratio == pytest.approx(100 * connector / raw, rel=0.5)
    assert "connector topic read back: 240 events (2 runs of 120)" in result.stdout
