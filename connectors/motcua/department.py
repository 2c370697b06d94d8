"""The department's own view of a dossier: its table's columns and its outbox payload format.

The payload is what the one-stop-shop system writes into its outbox: flat columns as JSON,
times in the province's local time (Asia/Ho_Chi_Minh, UTC+7) with their offset. Turning it
into the bus's `Dossier` event is the connector's job (`mapping.py`), not the department's.
"""

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

__all__ = ["PROVINCE_TIME", "DeptDossier", "DeptStep", "OutboxEventType", "as_utc"]

PROVINCE_TIME = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
"""Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact."""


class OutboxEventType(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    SNAPSHOT = "snapshot"
    """The row as it stands, re-published without a change (reconciliation repairs with it)."""


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the source tables store UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class DeptStep:
    at: datetime
    action: str
    officer: str | None = None
    unit: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DeptDossier:
    """One row of the department's `dossiers` table."""

    dossier_no: str
    procedure_code: str
    local_procedure_code: str | None
    field_code: str | None
    receiving_agency: str
    applicant_kind: str
    applicant_id_number: str | None
    applicant_name: str
    applicant_phone: str | None
    applicant_email: str | None
    applicant_address: str | None
    applicant_province_code: str | None
    applicant_commune_code: str | None
    status: str
    submitted_at: datetime
    received_at: datetime | None = None
    due_at: datetime | None = None
    extended_due_at: datetime | None = None
    finished_at: datetime | None = None
    returned_at: datetime | None = None
    cancelled_at: datetime | None = None
    fee_vnd: int = 0
    steps: tuple[DeptStep, ...] = field(default=())
    version: int = 1

    def to_row(self) -> dict[str, Any]:
        row = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "steps"}
        row["steps_json"] = json.dumps(
            [_step_json(step) for step in self.steps], ensure_ascii=False
        )
        return row

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> "DeptDossier":
        values = {f.name: row[f.name] for f in fields(cls) if f.name != "steps"}
        for name, value in values.items():
            if isinstance(value, datetime):
                values[name] = as_utc(value)
        steps = tuple(
            DeptStep(**{**step, "at": datetime.fromisoformat(step["at"]).astimezone(UTC)})
            for step in json.loads(row["steps_json"])
        )
        return cls(**values, steps=steps)

    def to_payload(self) -> str:
        """The outbox payload: JSON, local times with their offset, as the department writes it."""
        document = asdict(self)
        document["steps"] = [_step_json(step) for step in self.steps]
        return json.dumps(
            {key: _local_text(value) for key, value in document.items()}, ensure_ascii=False
        )


def _step_json(step: DeptStep) -> dict[str, Any]:
    return {f.name: _local_text(getattr(step, f.name)) for f in fields(step)}


def _local_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).astimezone(PROVINCE_TIME).isoformat(timespec="milliseconds")
    return value
