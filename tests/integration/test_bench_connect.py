"""`lienthong bench connect` measures what it claims: both sides run, the ratio is printed,
and the connector really committed every change of every run to its topic."""

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from lienthong.cli.bench_connect import connect

pytestmark = pytest.mark.integration


def test_prints_both_rates_and_their_ratio_after_publishing_every_change(
    kafka_bootstrap: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIENTHONG_VAR_DIR", str(tmp_path / "var"))
    app = typer.Typer()
    app.command()(connect)

    result = CliRunner().invoke(
        app,
        [
            "--records",
            "120",
            "--batch-size",
            "50",
            "--repeats",
            "2",
            "--bootstrap",
            kafka_bootstrap,
        ],
    )

    assert result.exit_code == 0, result.output
    rates = re.search(r"events/s\s*│\s*([\d,]+)\s*│\s*([\d,]+)\s*│\s*([\d.]+)%", result.output)
    assert rates is not None, result.output
    connector, raw, ratio = (float(figure.replace(",", "")) for figure in rates.groups())
    assert connector > 0
    assert raw > 0
    assert ratio == pytest.approx(100 * connector / raw, rel=0.5)
    assert "connector topic read back: 240 events (2 runs of 120)" in result.output
