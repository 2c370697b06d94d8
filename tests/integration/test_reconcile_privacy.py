"""`reconcile` under the shipped privacy policy: the centre holds hashed ids and masked
contacts, the source holds them in clear, and that is no drift; a real difference still is.
The centre is fed as in tests/integration/test_reconcile.py (mapping, then the store)."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select, update

from connectors.motcua import Simulator, create_source_engine, ensure_source_schema
from lienthong.reconcile import DriftKind, reconcile
from lienthong.settings import CentreSettings, PrivacySettings, Settings, SourceSettings
from streams.centre import open_centre
from streams.centre.schema import DOSSIERS
from tests.integration.test_reconcile import NOW, feed_centre, found, source_rows

pytestmark = pytest.mark.integration

HASH_KEY = "reconcile-privacy-test-key-0123456789abcdef"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    # The shipped policy: no policy file; the key made under var/ for SQLite.
    local = Settings(var_dir=tmp_path / "var", privacy=PrivacySettings())
    if request.param == "sqlite":
        return local
    create: Callable[[], str] = request.getfixturevalue("postgres_databases")
    return local.model_copy(
        update={
            "source": SourceSettings(dsn=SecretStr(create())),
            "centre": CentreSettings(dsn=SecretStr(create())),
            "privacy": PrivacySettings(hash_key=SecretStr(HASH_KEY)),
        }
    )


@pytest.fixture
def engines(settings: Settings) -> Iterator[tuple[Engine, Engine]]:
    source = create_source_engine(settings)
    ensure_source_schema(source)
    centre = open_centre(settings)
    try:
        yield source, centre
    finally:
        source.dispose()
        centre.dispose()


def test_a_protected_centre_is_in_sync_and_real_drift_still_shows(
    settings: Settings, engines: tuple[Engine, Engine]
) -> None:
    source, centre = engines
    Simulator(source, seed=5, clock=lambda: NOW).steps(60)
    feed_centre(settings, source, centre)
    rows = source_rows(source)
    citizen = next(row for row in rows.values() if row["applicant_kind"] == "citizen")
    with centre.connect() as conn:
        stored = conn.execute(
            select(DOSSIERS.c.applicant_id_number, DOSSIERS.c.applicant_phone).where(
                DOSSIERS.c.dossier_no == citizen["dossier_no"]
            )
        ).one()
    assert stored.applicant_id_number != citizen["applicant_id_number"]
    assert len(stored.applicant_id_number) == 64
    assert stored.applicant_phone.endswith(citizen["applicant_phone"][-3:])
    assert stored.applicant_phone.startswith("*")

    report = reconcile(settings, chunk_size=9)
    assert report.in_sync and report.matching == len(rows)

    with centre.begin() as conn:
        conn.execute(
            update(DOSSIERS)
            .where(DOSSIERS.c.dossier_no == citizen["dossier_no"])
            .values(applicant_id_number="0" * 64)
        )
    assert found(reconcile(settings)) == {DriftKind.DIFFERENT: [citizen["dossier_no"]]}
