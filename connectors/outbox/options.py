"""The `options:` of an `outbox` connector: where the table is, its columns, how rows route."""

from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from connectors.contract import Domain

__all__ = ["OutboxColumns", "OutboxOptions", "PayloadFormat"]

_IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_$]{0,63}$"
_TABLE = r"^[A-Za-z_][A-Za-z0-9_$]{0,63}(\.[A-Za-z_][A-Za-z0-9_$]{0,63})?$"


class PayloadFormat(StrEnum):
    CANONICAL = "canonical"
    """The bus's own change shape (connectors.outbox.canonical)."""
    MOTCUA = "motcua"
    """The one-stop-shop department's flat dossier payload (connectors.motcua.mapping)."""


class OutboxColumns(BaseModel):
    """Column names, Debezium's outbox defaults; None marks a column the table does not have."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(default="id", pattern=_IDENTIFIER)
    """Assigned at insert by a sequence, identity or auto-increment: it orders the outbox."""
    aggregate_type: str = Field(default="aggregate_type", pattern=_IDENTIFIER)
    aggregate_id: str = Field(default="aggregate_id", pattern=_IDENTIFIER)
    event_type: str | None = Field(default="event_type", pattern=_IDENTIFIER)
    payload: str = Field(default="payload", pattern=_IDENTIFIER)
    occurred_at: str | None = Field(default="occurred_at", pattern=_IDENTIFIER)
    event_id: str | None = Field(default=None, pattern=_IDENTIFIER)
    correlation_id: str | None = Field(default=None, pattern=_IDENTIFIER)
    causation_id: str | None = Field(default=None, pattern=_IDENTIFIER)


class OutboxOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    dsn: str = Field(min_length=1)
    """SQLAlchemy URL: postgresql+psycopg://…, mysql+pymysql://… (MariaDB), sqlite:///path."""
    table: str = Field(default="outbox", pattern=_TABLE)
    """The outbox table, optionally `schema.table`."""
    columns: OutboxColumns = Field(default_factory=OutboxColumns)
    routes: dict[str, Domain] = Field(min_length=1)
    """Aggregate type to the domain its events belong to."""
    payload_format: PayloadFormat = PayloadFormat.CANONICAL
    poll_interval_s: float = Field(default=0.5, gt=0, le=60)
    """How long to wait before looking again when the outbox had nothing new."""
    gap_grace_s: float = Field(default=1.0, ge=0, le=60)
    """How long a gap in the ids must last before the database is asked which open
    transactions could still fill it (covers a writer that holds an id but is not yet listed
    as a transaction)."""

    @model_validator(mode="after")
    def _format_fits(self) -> Self:
        if self.payload_format is PayloadFormat.MOTCUA:
            if self.columns.event_type is None or self.columns.occurred_at is None:
                raise ValueError(
                    "payload_format motcua needs the event_type and occurred_at columns"
                )
            if any(domain is not Domain.DOSSIERS for domain in self.routes.values()):
                raise ValueError("payload_format motcua carries dossiers only: route to dossiers")
        return self
