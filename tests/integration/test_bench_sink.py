"""`lienthong bench sink` measures what it claims: both sides read every record from Kafka
and leave every dossier at its newest version. Correctness of the benchmark, not speed."""

import asyncio
from pathlib import Path

import pytest

from lienthong.bench import SinkPlan, StoreKind, run_sink_bench, sqlite_stores
from lienthong.settings import KafkaSettings, Settings

pytestmark = pytest.mark.integration


def test_both_sides_write_every_dossier_at_its_newest_version(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    settings = Settings(
        var_dir=tmp_path / "var", kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap)
    )
    plan = SinkPlan(records=120, dossiers=25, batch_size=50, repeats=2)
    stores = [sqlite_stores(tmp_path / "stores")]

    result = asyncio.run(run_sink_bench(settings, plan, stores))

    assert result.records == 120
    assert result.dossiers == 25
    [measure] = result.measures
    assert measure.store is StoreKind.SQLITE
    assert measure.ours_current == 25
    assert measure.baseline_current == 25
    assert measure.ours_per_s > 0
    assert measure.baseline_per_s > 0
