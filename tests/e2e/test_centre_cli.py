"""`lienthong centre …` as an operator runs it, on a SQLite centre the sink wrote."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lienthong.cli.main import app
from lienthong.events import Operation
from lienthong.ids import TopicName
from lienthong.settings import Settings
from streams.centre import CentreSink, open_centre
from tests.domain_factories import document_change, document_id, parcel_change
from tests.factories import AT, CENTRE_GROUP, dossier_change

pytestmark = pytest.mark.e2e


@pytest.fixture
def var_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def runner(var_dir: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in ("LIENTHONG_CENTRE__DSN",):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LIENTHONG_VAR_DIR", str(var_dir))
    return CliRunner()


@pytest.fixture
async def filled(var_dir: Path) -> None:
    sink = CentreSink(open_centre(Settings(var_dir=var_dir)), CENTRE_GROUP)
    done = dossier_change("HS-1", 2)
    assert done.after is not None
    done = done.model_copy(
        update={"after": done.after.model_copy(update={"finished_at": AT + timedelta(days=2)})}
    )
    changes = [
        (TopicName("motcua.dossiers"), dossier_change("HS-1", 1, Operation.CREATE)),
        (TopicName("motcua.dossiers"), done),
        (TopicName("land.parcels"), parcel_change("TD-7", 1, Operation.CREATE, dossier_no="HS-1")),
        (TopicName("edoc.documents"), document_change(3, 1, dossier_nos=("HS-1",))),
    ]
    for offset, (topic, change) in enumerate(changes):
        sink.add(change, topic, 0, offset)
    await sink.flush()
    sink.close()


def test_without_a_centre_the_commands_say_how_to_get_one(runner: CliRunner) -> None:
    result = runner.invoke(app, ["centre", "status"])
    assert result.exit_code == 2
    assert "lienthong demo" in result.output


@pytest.mark.usefixtures("filled")
def test_status_counts_every_kind(runner: CliRunner) -> None:
    result = runner.invoke(app, ["centre", "status", "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert counts["dossiers"] == {"live": 1, "deleted": 0, "history": 2}
    assert counts["land_parcels"]["live"] == counts["documents"]["live"] == 1
    assert counts["document_statuses"]["live"] == 0


@pytest.mark.usefixtures("filled")
def test_a_dossier_shows_its_documents_and_the_parcel_changes_it_caused(
    runner: CliRunner,
) -> None:
    result = runner.invoke(app, ["centre", "dossier", "HS-1", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["documents"] == [document_id(3)]
    assert report["parcel_changes"] == [["TD-7", 1]]
    assert report["versions"] == [[1, "CREATE"], [2, "UPDATE"]]
    parcel = json.loads(runner.invoke(app, ["centre", "parcel", "TD-7", "--json"]).output)
    assert parcel["changed_by"] == [{"dossier_no": "HS-1", "version": 1}]
    assert runner.invoke(app, ["centre", "dossier", "HS-404"]).exit_code == 1


@pytest.mark.usefixtures("filled")
def test_scores_and_overdue(runner: CliRunner) -> None:
    result = runner.invoke(app, ["centre", "scores", "--json", "--since", "2025-07-01"])
    assert result.exit_code == 0, result.output
    by_day = {row["day"]: row for row in json.loads(result.output)}
    assert by_day["2025-07-01"]["received"] == 1
    assert by_day["2025-07-03"]["resolved_on_time"] == 1
    assert runner.invoke(app, ["centre", "scores", "--since", "July"]).exit_code == 2
    overdue = json.loads(runner.invoke(app, ["centre", "overdue", "--json"]).output)
    assert overdue == []  # the one dossier was resolved
