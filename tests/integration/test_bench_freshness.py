"""`lienthong bench freshness` runs the real pipeline with signatures required, as the demo
does: every change of the measured window reaches the centre, each leg is measured, and the
worker's peak memory is reported."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


def test_every_change_of_the_window_reaches_the_centre_and_is_timed(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIENTHONG_")}
    env |= {
        "PYTHONPATH": str(REPO_ROOT),
        "LIENTHONG_VAR_DIR": str(tmp_path / "var"),
        "LIENTHONG_KAFKA__BOOTSTRAP_SERVERS": kafka_bootstrap,
        "LIENTHONG_PRIVACY__HASH_KEY": os.environ.get(
            "LIENTHONG_PRIVACY__HASH_KEY", "bench-test-privacy-key-0123456789abcdef"
        ),
    }
    arguments = ["--duration", "3", "--rate", "20", "--warmup", "1", "--json"]
    result = subprocess.run(
        [sys.executable, "-m", "lienthong", "bench", "freshness", *arguments],
        env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["changes"] > 0
    assert figures["applied"] == figures["changes"], "every change reached the centre"
    assert figures["drained"] is True
    for leg in ("end_to_end", "connector_leg", "stream_leg"):
        assert figures[leg]["count"] == figures["changes"], leg
        assert 0 < figures[leg]["p50_ms"] <= figures[leg]["p99_ms"] <= figures[leg]["max_ms"]
    assert 20 < figures["worker_peak_rss_mb"] < 4096
