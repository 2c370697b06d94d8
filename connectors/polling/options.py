"""The `options:` of a `kind: polling` connector, checked before anything connects."""

import re
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from connectors.contract import Domain

__all__ = ["PollingOptions"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PollingOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    dsn: SecretStr
    """SQLAlchemy URL of the department database: postgresql://, sqlite:///, mysql://."""
    domain: Domain
    """The one domain this connector writes; its entity's fields name the columns."""
    query: str | None = None
    """A SELECT whose columns are aliased to the entity's JSON fields (`a__b` nests `b` in `a`)."""
    table: str | None = None
    """Instead of `query`: every column of this table (`schema.table` allowed)."""
    timestamp_column: str
    """Set by the department on every insert, update and soft delete, from the database clock."""
    incrementing_column: str
    """A whole number unique per row (the primary key), ordering rows of one timestamp."""
    key_column: str
    version_column: str | None = None
    """A number the department raises on every change; unset: the timestamp in microseconds."""
    deleted_column: str | None = None
    """A soft-delete flag or `deleted_at`: set (true, 1, a time) makes the row a DELETE."""
    admin_unit_column: str | None = None
    """The commune code the envelope's `admin_unit_code` takes, when the rows carry one."""
    admin_code_list_column: str | None = None
    """The code list each row's commune code follows (VN2004, VN2025, 2004 or 2025; NULL: the
    connector's `code_list`), for tables mixing old and new codes. Other values: dead letter."""
    delay_s: float = Field(default=5.0, ge=0)
    """Read only rows whose timestamp is older than this by the database's clock, so rows of
    transactions that commit up to this long after their timestamp are not skipped. At least
    the timestamp's resolution (1 s for a MySQL DATETIME without fractions)."""
    long_transaction_wait_s: float = Field(default=600.0, gt=0)
    """PostgreSQL: the horizon also stays before the start of any transaction open in the
    database (its rows may carry a timestamp from that start), for at most this long."""
    poll_interval_s: float = Field(default=1.0, gt=0)
    naive_timezone: str = "UTC"
    """The zone of timestamps stored without one (SQLite text, `timestamp without time zone`)."""

    @field_validator(
        "timestamp_column",
        "incrementing_column",
        "key_column",
        "version_column",
        "deleted_column",
        "admin_unit_column",
        "admin_code_list_column",
    )
    @classmethod
    def _plain_identifier(cls, name: str | None) -> str | None:
        if name is not None and not _IDENTIFIER.match(name):
            raise ValueError(f"{name!r} is not a plain column name (letters, digits, _)")
        return name

    @field_validator("table")
    @classmethod
    def _table_name(cls, name: str | None) -> str | None:
        if name is not None and not all(_IDENTIFIER.match(part) for part in name.split(".")):
            raise ValueError(f"{name!r} is not a table name (`table` or `schema.table`)")
        return name

    @field_validator("naive_timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {zone!r}") from exc
        return zone

    @model_validator(mode="after")
    def _query_or_table(self) -> Self:
        if (self.query is None) == (self.table is None):
            raise ValueError("set exactly one of `query` and `table`")
        if self.query is not None and not self.query.strip():
            raise ValueError("`query` is empty")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.naive_timezone)
