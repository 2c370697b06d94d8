"""A polling connector's configuration: what is refused before anything connects, where it
resumes, and the query it runs."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from connectors.contract import Domain
from connectors.kinds import source_for
from connectors.land.polling import parcels_options
from connectors.polling import PollingOptions, PollingSource, PollPosition
from connectors.polling.database import polling_engine, sqlalchemy_url
from connectors.polling.dialects import dialect_for
from connectors.polling.entity import entity_shape
from connectors.polling.query import PollingQuery
from connectors.polling.rows import RowMapper
from connectors.spec import ConnectorSpec
from lienthong.errors import ConfigurationError
from lienthong.settings import Settings


def spec(domains: tuple[str, ...] = ("land_parcels",), **options: Any) -> ConnectorSpec:
    return ConnectorSpec(
        name="land-polling",
        kind="polling",
        agency="000.00.15.H41",
        system="vbdlis",
        domains=domains,
        batch_size=3,
        options=parcels_options("sqlite:///var/source/land.db", **options),
    )


def test_the_kind_is_found_by_its_name() -> None:
    source = source_for(spec(), Settings())
    assert isinstance(source, PollingSource)
    assert source.domains == (Domain.LAND_PARCELS,)


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"table": "parcels"}, "exactly one of `query` and `table`"),
        ({"query": None}, "exactly one of `query` and `table`"),
        ({"query": "  "}, "`query` is empty"),
        ({"timestamp_column": "updated_at; drop"}, "not a plain column name"),
        ({"admin_code_list_column": "code list"}, "not a plain column name"),
        ({"query": None, "table": "land.parcels x"}, "not a table name"),
        ({"naive_timezone": "Asia/Hanoi_City"}, "unknown time zone"),
        ({"delay_s": -1}, "greater than or equal to 0"),
        ({"poll_every": 3}, "Extra inputs are not permitted"),
    ],
)
def test_bad_options_are_refused_with_the_reason(options: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        source_for(spec(**options), Settings())


def test_the_domain_must_be_one_the_connector_writes() -> None:
    with pytest.raises(ConfigurationError, match="land_parcels is not one of its domains"):
        PollingSource(spec(domains=("dossiers",)), Settings())


def test_a_position_round_trips_with_microseconds_and_its_offset() -> None:
    aware = PollPosition(datetime(2025, 8, 12, 3, 0, tzinfo=UTC), 42)
    assert aware.to_text() == '{"ts": "2025-08-12T03:00:00.000000+00:00", "id": 42}'
    assert PollPosition.from_text(aware.to_text()) == aware
    naive = PollPosition(datetime(2025, 8, 12, 3, 0, 0, 5), 1)
    assert PollPosition.from_text(naive.to_text()) == naive


@pytest.mark.parametrize("text", ["17", '{"ts": "yesterday", "id": 1}', '{"ts": "2025-08-12"}'])
def test_a_position_of_another_kind_says_to_reset(text: str) -> None:
    with pytest.raises(ConfigurationError, match="reset the connector's position"):
        PollPosition.from_text(text)


@pytest.mark.parametrize(
    ("dsn", "url"),
    [
        ("postgresql://u:p@127.0.0.1/land", "postgresql+psycopg://u:p@127.0.0.1/land"),
        ("postgres://127.0.0.1/land", "postgresql+psycopg://127.0.0.1/land"),
        ("mysql://u@127.0.0.1/land", "mysql+pymysql://u@127.0.0.1/land"),
        ("sqlite:///var/land.db", "sqlite:///var/land.db"),
        ("postgresql+psycopg://h/db", "postgresql+psycopg://h/db"),
    ],
)
def test_urls_name_the_drivers_installed(dsn: str, url: str) -> None:
    assert sqlalchemy_url(dsn) == url


def test_an_unsupported_database_is_named() -> None:
    with pytest.raises(ConfigurationError, match="does not support oracle"):
        dialect_for("oracle")


def test_the_query_resumes_strictly_after_the_timestamp_and_id_pair() -> None:
    options = PollingOptions.model_validate(parcels_options("sqlite:///x.db"))
    dialect = dialect_for("sqlite")
    mapper = RowMapper(
        Domain.LAND_PARCELS, options, entity_shape(Domain.LAND_PARCELS), dialect.timestamp_of
    )
    query = PollingQuery(options, dialect, mapper, lambda name: f'"{name}"', limit=3)
    statement = " ".join(str(query.statement(resuming=True)).split())
    assert 'polled."updated_at" < :horizon' in statement
    assert (
        '(polled."updated_at" > :after_ts OR '
        '(polled."updated_at" = :after_ts AND polled."id" > :after_id))'
    ) in statement
    assert statement.endswith('ORDER BY polled."updated_at", polled."id" LIMIT 3')


def test_a_query_or_a_table_name_fills_the_options() -> None:
    by_table = PollingOptions.model_validate(
        parcels_options("sqlite:///x.db", query=None, table="land.parcels")
    )
    assert by_table.table == "land.parcels"
    with pytest.raises(ValidationError):
        PollingOptions.model_validate({"dsn": "sqlite:///x.db", "domain": "land_parcels"})


def test_a_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "land.db"
    with pytest.raises(ConfigurationError, match="no such SQLite file"):
        polling_engine(f"sqlite:///{missing}")
    assert not missing.exists()
