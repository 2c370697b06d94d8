"""The envelope every change event carries (schemas/vn.lienthong.Envelope.avsc)."""

from enum import StrEnum
from typing import Any, Self
from uuid import UUID

from pydantic import Field

from lienthong.events.fields import StrictRecord, UtcMillis

__all__ = ["AdminCodeList", "ChangeEvent", "Envelope", "Operation"]


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
    signature_key_id: str | None = None


class ChangeEvent(StrictRecord):
    """Base of the records that travel on topics (schemas.TOP_LEVEL): the envelope comes first."""

    envelope: Envelope

    def to_avro(self) -> dict[str, Any]:
        """The record as fastavro writes it (enums as symbols, datetimes and decimals kept)."""
        record: dict[str, Any] = self.model_dump(mode="python")
        record["envelope"]["event_id"] = str(self.envelope.event_id)
        return record

    @classmethod
    def from_avro(cls, record: dict[str, Any]) -> Self:
        return cls.model_validate(record)
