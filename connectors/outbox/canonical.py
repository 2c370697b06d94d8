"""The `canonical` payload: a change in the bus's own shape, as the department writes it.

    {
      "operation": "UPDATE",          CREATE | UPDATE | DELETE | SNAPSHOT
      "version": 7,                   the entity's version after the change, a whole number >= 0
      "occurred_at": "2025-07-01T09:30:15+07:00",   optional, with its offset; else the column
      "after": {...},                 the entity in the domain's JSON shape; absent for DELETE
      "before": {...},                optional: the state before (for DELETE, the deleted state)
      "admin_unit_code": "16681",     optional: the commune (or province) the change is about
      "admin_code_list": "VN2004",    optional: the list that code follows, VN2004 or VN2025
                                      (any case; or 2004, 2025), else the connector's code_list
      "correlation_id": "...",        optional, else the row's column when mapped
      "causation_id": "..."           optional, else the row's column when mapped
    }

The entity shapes are the domain records of schemas/ (Dossier, LandParcel, Document; for
document_statuses `after` is the DocumentStatus). Unknown top-level fields are refused, so a
misspelt field is a dead letter rather than silently lost. The key is the row's aggregate id.
"""

from datetime import datetime
from typing import Any, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from connectors.admin_code_lists import SentCodeList
from connectors.building import describe_validation
from connectors.contract import Change, Domain
from connectors.json_payload import json_object
from connectors.outbox.rows import VALIDATE, OutboxRow
from lienthong.errors import DeadLetterError
from lienthong.events import Operation

__all__ = ["CanonicalPayload", "canonical_change", "read_canonical"]


class CanonicalPayload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    operation: Operation
    version: int = Field(ge=0, strict=True)
    occurred_at: AwareDatetime | None = None
    after: dict[str, Any] | None = None
    before: dict[str, Any] | None = None
    admin_unit_code: str | None = None
    admin_code_list: SentCodeList = None
    correlation_id: str | None = None
    causation_id: str | None = None

    @model_validator(mode="after")
    def _state_matches_operation(self) -> Self:
        if self.operation is Operation.UNKNOWN:
            raise ValueError("operation must be CREATE, UPDATE, DELETE or SNAPSHOT")
        if self.operation is Operation.DELETE and self.after is not None:
            raise ValueError("a DELETE has no `after`: put the deleted state in `before`")
        if self.operation is not Operation.DELETE and self.after is None:
            raise ValueError(f"a {self.operation} needs `after`, the entity after the change")
        return self


def read_canonical(text: str) -> CanonicalPayload:
    """The payload checked against the canonical shape, or a DeadLetterError saying why not."""
    document = json_object(text)
    try:
        return CanonicalPayload.model_validate(document)
    except ValidationError as exc:
        raise DeadLetterError(f"payload: {describe_validation(exc)}", stage=VALIDATE) from exc


def canonical_change(row: OutboxRow, domain: Domain, key: str, event_id: UUID) -> Change:
    payload = read_canonical(row.payload_text())
    occurred_at: datetime | None = payload.occurred_at or row.occurred_at_utc()
    if occurred_at is None:
        raise DeadLetterError(
            "no occurred_at: the payload has none and the table maps no such column",
            stage=VALIDATE,
        )
    position = str(row.id)
    return Change(
        domain=domain,
        key=key,
        operation=payload.operation,
        version=payload.version,
        occurred_at=occurred_at,
        after=payload.after,
        before=payload.before,
        position=position,
        event_id=event_id,
        admin_unit_code=payload.admin_unit_code,
        admin_code_list=payload.admin_code_list,
        correlation_id=payload.correlation_id or row.correlation_id,
        causation_id=payload.causation_id or row.causation_id,
        source_position=position,
    )
