"""The environment tests give `lienthong` child processes: a test's Settings, flattened into
LIENTHONG_* variables that read back as the same Settings."""

import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from lienthong.ids import TopicName
from lienthong.settings import (
    CentreSettings,
    KafkaSettings,
    LogSettings,
    RegistrySettings,
    Settings,
    StreamsSettings,
    SubjectNameStrategy,
    TopicSettings,
)
from tests.cli_env import lienthong_env
from tests.conftest import REPO_ROOT

SETTINGS = Settings(
    var_dir=Path("/srv/lienthong/var"),
    kafka=KafkaSettings(bootstrap_servers="127.0.0.1:19092"),
    topics=TopicSettings(dossiers=TopicName("test.motcua.dossiers")),
    registry=RegistrySettings(
        url="http://127.0.0.1:18081", subject_strategy=SubjectNameStrategy.RECORD_NAME
    ),
    centre=CentreSettings(dsn=SecretStr("postgresql://centre:secret@127.0.0.1/centre")),
    streams=StreamsSettings(web_port=16066, batch_within_s=0.2),
    log=LogSettings(json_lines=False),
)


def lienthong_variables(env: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in env.items() if name.startswith("LIENTHONG_")}


def test_every_field_set_becomes_one_variable_and_defaults_stay_out() -> None:
    assert lienthong_variables(lienthong_env(SETTINGS)) == {
        "LIENTHONG_VAR_DIR": "/srv/lienthong/var",
        "LIENTHONG_KAFKA__BOOTSTRAP_SERVERS": "127.0.0.1:19092",
        "LIENTHONG_TOPICS__DOSSIERS": "test.motcua.dossiers",
        "LIENTHONG_REGISTRY__URL": "http://127.0.0.1:18081",
        "LIENTHONG_REGISTRY__SUBJECT_STRATEGY": "record_name",
        "LIENTHONG_CENTRE__DSN": "postgresql://centre:secret@127.0.0.1/centre",
        "LIENTHONG_STREAMS__WEB_PORT": "16066",
        "LIENTHONG_STREAMS__BATCH_WITHIN_S": "0.2",
        "LIENTHONG_LOG__JSON_LINES": "false",
    }


def test_fields_set_by_a_copy_are_exported_too() -> None:
    moved = SETTINGS.model_copy(
        update={"kafka": SETTINGS.kafka.model_copy(update={"bootstrap_servers": "127.0.0.1:1"})}
    )
    assert lienthong_env(moved)["LIENTHONG_KAFKA__BOOTSTRAP_SERVERS"] == "127.0.0.1:1"


def test_the_variables_read_back_as_the_same_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in lienthong_variables(dict(os.environ)):
        monkeypatch.delenv(name)
    for name, value in lienthong_variables(lienthong_env(SETTINGS)).items():
        monkeypatch.setenv(name, value)
    assert Settings() == SETTINGS


def test_the_parents_lienthong_variables_are_dropped_and_overrides_win(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIENTHONG_DASHBOARD__PORT", "1")
    monkeypatch.setenv("PYTHONPATH", "/opt/site")

    env = lienthong_env(SETTINGS, LIENTHONG_LOG__JSON_LINES="true", MOTCUA_DB_DSN="sqlite:///x")

    assert "LIENTHONG_DASHBOARD__PORT" not in env
    assert env["LIENTHONG_LOG__JSON_LINES"] == "true"
    assert env["MOTCUA_DB_DSN"] == "sqlite:///x"
    assert env["PYTHONPATH"] == os.pathsep.join([str(REPO_ROOT), "/opt/site"])
    assert env["PATH"] == os.environ["PATH"]
