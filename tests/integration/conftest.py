"""Fixtures shared by the tests that run the stream worker against the session's broker."""

from pathlib import Path

import pytest

from lienthong.settings import CentreSettings, Settings
from lienthong.topics import bus_topics, ensure_topics


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def centre_bus(request: pytest.FixtureRequest, bus_settings: Settings) -> Settings:
    """This test's bus with its topics created, its centre on SQLite, then on PostgreSQL."""
    chosen = bus_settings
    if request.param == "postgresql":
        dsn = request.getfixturevalue("postgres_dsn")
        chosen = bus_settings.model_copy(update={"centre": CentreSettings(dsn=dsn)})
    await ensure_topics(chosen, bus_topics(chosen))
    return chosen


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    """Where the worker subprocess writes its output."""
    return tmp_path / "worker.log"
