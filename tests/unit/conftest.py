"""Fixtures of the centre-store tests: one sink per test, on SQLite and on PostgreSQL."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from lienthong.settings import CentreSettings, Settings
from streams.centre import CentreSink, open_centre
from tests.factories import CENTRE_GROUP


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def centre_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        return Settings(var_dir=tmp_path / "var")
    dsn = request.getfixturevalue("postgres_dsn")
    return Settings(var_dir=tmp_path / "var", centre=CentreSettings(dsn=dsn))


@pytest.fixture
def sink(centre_settings: Settings) -> Iterator[CentreSink]:
    sink = CentreSink(open_centre(centre_settings), CENTRE_GROUP)
    yield sink
    sink.close()
