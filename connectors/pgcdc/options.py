"""The `options:` of a pgcdc connector in connectors.yaml.

options:
  dsn: ${LAND_DB_DSN}             # postgresql://user:password@host:port/database
  slot: lienthong_land_cdc        # default lienthong_<connector name, . and - as _>
  publication: lienthong_land_cdc # default: the slot's name
  snapshot: initial               # or never: stream only what changes from now on
  snapshot_chunk: 1000
  heartbeat_s: 10
  poll_interval_s: 0.5
  tables:
    - table: public.land_parcels
      domain: land_parcels
      key_columns: [parcel_id]    # default: the primary key
      columns: {so_thua: parcel_no, so_to: map_sheet_no}   # default: every column, same name
      json_columns: [land_uses, holders]
      admin_unit_column: commune_code
      admin_code_list_column: code_list   # VN2004 | VN2025 | 2004 | 2025 per row
"""

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from connectors.contract import Domain
from lienthong.errors import ConfigurationError

__all__ = ["PgCdcOptions", "TableOptions", "default_slot_name"]

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_$]*"
_SLOT = r"^[a-z0-9_]{1,63}$"
"""PostgreSQL's rule for replication slot names."""


class TableOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str = Field(pattern=rf"^{_IDENTIFIER}\.{_IDENTIFIER}$")
    """schema.name, as unquoted identifiers."""
    domain: Domain
    key_columns: tuple[str, ...] | None = Field(default=None, min_length=1)
    """The columns whose values make the entity key (joined by "/"); default the primary key."""
    columns: dict[str, str] | None = None
    """Column name to entity field name; default every column under its own name."""
    json_columns: tuple[str, ...] = ()
    """Columns holding JSON (json, jsonb, or text), parsed into the entity's nested fields."""
    admin_unit_column: str | None = None
    """A column holding the entity's administrative unit code, for the envelope."""
    admin_code_list_column: str | None = None
    """A column naming the code list each row's unit code follows (VN2004, VN2025, 2004 or
    2025; NULL: the connector's `code_list`); any other value makes the change a dead letter."""

    @property
    def envelope_columns(self) -> tuple[str, ...]:
        """The columns read for the envelope rather than the entity."""
        named = (self.admin_unit_column, self.admin_code_list_column)
        return tuple(column for column in named if column is not None)

    @property
    def schema_name(self) -> str:
        return self.table.split(".", 1)[0]

    @property
    def table_name(self) -> str:
        return self.table.split(".", 1)[1]


class PgCdcOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    dsn: str = Field(pattern=r"^postgres(ql)?://")
    slot: str | None = Field(default=None, pattern=_SLOT)
    publication: str | None = Field(default=None, pattern=rf"^{_IDENTIFIER}$", max_length=63)
    tables: tuple[TableOptions, ...] = Field(min_length=1)
    snapshot: Literal["initial", "never"] = "initial"
    """initial: publish every row first, then stream; never: stream from the slot's start."""
    snapshot_chunk: int = Field(default=1000, ge=1, le=1_000_000)
    """Rows per snapshot query, each read in its own short transaction."""
    heartbeat_s: float = Field(default=10.0, gt=0)
    """Idle this long, the slot moves past WAL that holds nothing for this connector."""
    poll_interval_s: float = Field(default=0.5, gt=0)

    @model_validator(mode="after")
    def _tables_once(self) -> "PgCdcOptions":
        names = [table.table for table in self.tables]
        if len(names) != len(set(names)):
            raise ValueError("a table is listed twice")
        return self


def default_slot_name(connector: str) -> str:
    """lienthong_<connector name>, with the characters slot names refuse turned into _."""
    name = "lienthong_" + re.sub(r"[^a-z0-9_]", "_", connector.lower())
    if len(name) > 63:
        raise ConfigurationError(
            f"connector {connector}: the default slot name {name} is longer than PostgreSQL's "
            "63 characters; set options.slot"
        )
    return name
