"""The privacy key and policy at start: a SQLite centre makes its key once (owner-only) and
keeps it, a PostgreSQL centre must be given one, and an unusable policy or key stops the
centre from opening before anything is written."""

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from lienthong.errors import ConfigurationError
from lienthong.ids import TopicName
from lienthong.privacy import hash_key_file, load_data_protection
from lienthong.settings import CentreSettings, PrivacySettings, Settings
from streams.centre import CentreBatch, create_centre_engine, open_centre, write_batch
from tests.factories import dossier_change

pytestmark = pytest.mark.integration

SHORT_KEY = "short-secret-key"


def shipped(tmp_path: Path, **privacy: object) -> Settings:
    return Settings(var_dir=tmp_path / "var", privacy=PrivacySettings.model_validate(privacy))


def test_a_sqlite_centre_makes_its_key_once_and_keeps_it(tmp_path: Path) -> None:
    settings = shipped(tmp_path)
    open_centre(settings).dispose()
    key_file = hash_key_file(settings)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = load_data_protection(settings)
    again = load_data_protection(settings)
    assert first.hash_key == again.hash_key and first.hash_key
    assert key_file.read_text().strip().encode() == first.hash_key


def test_a_postgresql_centre_must_be_given_a_key(tmp_path: Path) -> None:
    settings = shipped(tmp_path).model_copy(
        update={"centre": CentreSettings(dsn=SecretStr("postgresql://c:pw@127.0.0.1:1/c"))}
    )
    with pytest.raises(ConfigurationError, match="set LIENTHONG_PRIVACY__HASH_KEY"):
        open_centre(settings)


def test_a_short_key_is_refused_without_being_shown(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as raised:
        open_centre(shipped(tmp_path, hash_key=SHORT_KEY))
    assert "needs at least 32" in str(raised.value)
    assert SHORT_KEY not in str(raised.value)


def test_an_unusable_policy_stops_the_centre_before_it_exists(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("dossier:\n  applicant.id_number: keyed_hash\n", encoding="utf-8")
    settings = shipped(tmp_path, policy_file=policy)
    with pytest.raises(ConfigurationError, match="has no action"):
        open_centre(settings)
    assert not settings.centre_sqlite_path.exists()


def test_a_centre_opened_without_its_policy_is_never_written(tmp_path: Path) -> None:
    settings = shipped(tmp_path)
    open_centre(settings).dispose()
    bare = create_centre_engine(settings)
    batch = CentreBatch()
    batch.add(dossier_change("HS-1", 1), TopicName("motcua.dossiers"), 0, 0)
    try:
        with pytest.raises(ConfigurationError, match="without its privacy policy"):
            write_batch(bare, "group", batch)
    finally:
        bare.dispose()
