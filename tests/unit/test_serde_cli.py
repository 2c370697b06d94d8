"""`lienthong schemas …` on the repository alone (the registry commands are integration tests)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lienthong.cli import schemas as schemas_cli
from lienthong.cli.schemas import schemas_app
from lienthong.serde import ReleasedSchemas, repo_schema
from schemas import DOSSIER_CHANGE

runner = CliRunner()
SUBJECT = "motcua.dossiers-value"


def test_list_shows_each_top_level_record_with_its_subject_and_releases() -> None:
    result = runner.invoke(schemas_app, ["list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["record"]: row for row in json.loads(result.output)["local"]}
    dossier = rows[DOSSIER_CHANGE]
    assert dossier["subject"] == SUBJECT
    assert dossier["compatibility"] == "FULL_TRANSITIVE"
    assert dossier["released"][0] == 1


def test_show_prints_the_resolved_schema_of_a_subject_or_a_record() -> None:
    by_subject = runner.invoke(schemas_app, ["show", SUBJECT])
    by_record = runner.invoke(schemas_app, ["show", DOSSIER_CHANGE, "--json"])
    assert by_subject.exit_code == by_record.exit_code == 0
    assert json.loads(by_subject.output) == repo_schema(DOSSIER_CHANGE).json
    assert json.loads(by_record.output)["source"] == "repository"


def test_show_a_released_version() -> None:
    result = runner.invoke(schemas_app, ["show", SUBJECT, "--version", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["source"] == "v1"


def test_an_unknown_name_is_one_line_and_exit_2() -> None:
    result = runner.invoke(schemas_app, ["show", "vn.lienthong.Nope"])
    assert result.exit_code == 2
    assert "neither a subject nor a record" in result.output


def test_check_against_the_releases_passes() -> None:
    result = runner.invoke(schemas_app, ["check", "--released"])
    assert result.exit_code == 0, result.output
    assert f"{SUBJECT} (FULL_TRANSITIVE): compatible with released v1" in result.output


def test_diff_between_released_versions() -> None:
    result = runner.invoke(schemas_app, ["diff", SUBJECT, "--from", "1", "--to", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "subject": SUBJECT,
        "from": "v1",
        "to": "v1",
        "changes": [],
    }


def test_release_writes_v1_then_reports_it_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schemas_cli, "ReleasedSchemas", lambda: ReleasedSchemas(tmp_path))
    first = runner.invoke(schemas_app, ["release", DOSSIER_CHANGE, "--json"])
    again = runner.invoke(schemas_app, ["release", SUBJECT])
    assert first.exit_code == again.exit_code == 0, first.output + again.output
    assert json.loads(first.output)[0]["created"] is True
    assert (tmp_path / SUBJECT / "v1.avsc").is_file()
    assert f"{SUBJECT}: v1 unchanged" in again.output
