"""`lienthong audit verify` as an operator runs it, on a centre the real sink wrote, on
SQLite and on PostgreSQL: intact after several flushes (one replayed), then each kind of
tampering by hand in SQL is named."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from lienthong.events import Operation
from lienthong.ids import TopicName
from lienthong.settings import CentreSettings, Settings
from streams.centre import CentreSink, open_centre
from tests.cli_env import lienthong_env
from tests.domain_factories import parcel_change
from tests.factories import CENTRE_GROUP, dossier_change

pytestmark = pytest.mark.e2e

DOSSIERS = TopicName("motcua.dossiers")
PARCELS = TopicName("land.parcels")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        return Settings(var_dir=tmp_path / "var")
    dsn = request.getfixturevalue("postgres_dsn")
    return Settings(var_dir=tmp_path / "var", centre=CentreSettings(dsn=dsn))


@pytest.fixture
async def centre(settings: Settings) -> Engine:
    """Three flushes of two kinds, the second one read again as after a crash."""
    sink = CentreSink(open_centre(settings), CENTRE_GROUP)
    batches = [
        [(DOSSIERS, 0, dossier_change("HS-1", 1, Operation.CREATE))],
        [
            (DOSSIERS, 1, dossier_change("HS-1", 2)),
            (DOSSIERS, 2, dossier_change("HS-2", 1, Operation.CREATE)),
            (PARCELS, 0, parcel_change("TD-7", 1, Operation.CREATE, dossier_no="HS-1")),
        ],
    ]
    batches.append(batches[1])
    batches.append([(DOSSIERS, 3, dossier_change("HS-2", 2, Operation.DELETE))])
    for batch in batches:
        for topic, offset, change in batch:
            sink.add(change, topic, 0, offset)
        await sink.flush()
    sink.close()
    return open_centre(settings)


def audit_verify(settings: Settings, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lienthong", "audit", "verify", *options],
        env=lienthong_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_sql(engine: Engine, statement: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement))


def event_of(engine: Engine, dossier_no: str, version: int) -> str:
    with engine.connect() as conn:
        found: str = conn.execute(
            text(
                "SELECT event_id FROM dossier_history"
                " WHERE dossier_no = :no AND entity_version = :v"
            ),
            {"no": dossier_no, "v": version},
        ).scalar_one()
    return found


def test_every_history_row_is_chained_once_and_verifies(settings: Settings, centre: Engine) -> None:
    result = audit_verify(settings, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["intact"] is True
    assert report["audit_rows"] == report["history_rows"] == 5
    assert "5 audit entries and 5 history rows checked" in audit_verify(settings).stdout


def test_an_edited_history_row_is_named(settings: Settings, centre: Engine) -> None:
    edited = event_of(centre, "HS-1", 2)
    run_sql(centre, f"UPDATE dossier_history SET source_agency = 'X' WHERE event_id = '{edited}'")
    result = audit_verify(settings)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"seq 2 (dossiers event {edited}): history row edited (sha256 differs)"
    ]


def test_a_deleted_history_row_is_named(settings: Settings, centre: Engine) -> None:
    deleted = event_of(centre, "HS-2", 1)
    run_sql(centre, f"DELETE FROM dossier_history WHERE event_id = '{deleted}'")
    result = audit_verify(settings)
    assert result.returncode == 1
    assert f"(dossiers event {deleted}): history row deleted" in result.stdout


def test_a_deleted_or_edited_audit_entry_breaks_the_chain(
    settings: Settings, centre: Engine
) -> None:
    run_sql(centre, "DELETE FROM audit_log WHERE seq = 2")
    run_sql(centre, "UPDATE audit_log SET operation = 'UPSERT' WHERE seq = 4")
    result = audit_verify(settings, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    problems = {(p["seq"], p["problem"]) for p in report["problems"]}
    assert (3, "audit entry seq 2 deleted (chain gap)") in problems
    assert (4, "audit entry edited (hash differs)") in problems
    assert any(p["seq"] is None and "no audit entry" in p["problem"] for p in report["problems"])


def test_without_a_centre_there_is_nothing_to_verify(tmp_path: Path) -> None:
    result = audit_verify(Settings(var_dir=tmp_path / "nothing"))
    assert result.returncode == 2
    assert "no centre" in result.stderr
