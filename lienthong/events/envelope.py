"""The envelope every change event carries (schemas/vn.lienthong.Envelope.avsc)."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

__all__ = ["AdminCodeList", "Envelope", "Operation", "StrictRecord", "UtcMillis"]


def _utc_millis(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond - moment.microsecond % 1000)


UtcMillis = Annotated[AwareDatetime, AfterValidator(_utc_millis)]
"""An instant in UTC at the millisecond precision of the schemas' timestamp-millis."""


class StrictRecord(BaseModel):
    """Base of every event model: unknown fields are an error, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Operation(StrEnum):
    UNKNOWN = "UNKNOWN"
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    SNAPSHOT = "SNAPSHOT"


class AdminCodeList(StrEnum):
    UNKNOWN = "UNKNOWN"
    VN2004 = "VN2004"
    VN2025 = "VN2025"


class Envelope(StrictRecord):
    event_id: UUID
    source_agency: str = Field(min_length=1)
    source_system: str = Field(min_length=1)
    operation: Operation
    occurred_at: UtcMillis
    ingested_at: UtcMillis
    entity_key: str = Field(min_length=1)
    entity_version: int = Field(ge=0)
    admin_unit_code: str | None = None
    admin_code_list: AdminCodeList = AdminCodeList.UNKNOWN
    correlation_id: str | None = None
    causation_id: str | None = None
    source_position: str | None = None
    payload_sha256: str | None = None
    signature: bytes | None = None
