"""A record's value as an operator reads it: the envelope's essentials, then the payload.

Values are Confluent-framed Avro; each is decoded with its own writer schema fetched from the
registry by id, so any version of any record decodes. What does not decode says why.
"""

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from lienthong.errors import LienthongError, RetriableError
from lienthong.serde import AvroDeserializer, SchemaRegistry
from lienthong.serde.wire import read_schema_id

__all__ = ["DecodedEvent", "EnvelopeSummary", "Undecodable", "ValueDecoder", "json_ready"]


@dataclass(frozen=True)
class EnvelopeSummary:
    event_id: str | None
    agency: str | None
    system: str | None
    operation: str | None
    entity_key: str | None
    entity_version: int | None
    occurred_at: datetime | None
    correlation_id: str | None


@dataclass(frozen=True)
class DecodedEvent:
    schema: str
    """The writer schema's full name."""
    envelope: EnvelopeSummary | None
    """None for a record that carries no envelope."""
    payload: dict[str, Any]
    """Everything but the envelope, JSON-ready (datetimes ISO 8601, decimals as text)."""


@dataclass(frozen=True)
class Undecodable:
    reason: str
    length: int


class ValueDecoder:
    """Decodes values with their writer schemas, each fetched from the registry once."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self._registry = registry
        self._deserializer = AvroDeserializer(registry)

    async def decode(self, value: bytes) -> DecodedEvent | Undecodable:
        """Raises only when the registry does not answer (RetriableError)."""
        return await _decode(self._registry, self._deserializer, value)


async def _decode(
    registry: SchemaRegistry, deserializer: AvroDeserializer, value: bytes
) -> DecodedEvent | Undecodable:
    try:
        record = await deserializer.decode_async(value)
        schema = (await registry.schema_by_id(read_schema_id(value))).full_name
    except RetriableError:
        raise
    except LienthongError as exc:
        return Undecodable(str(exc), len(value))
    envelope = record.get("envelope")
    payload = {name: json_ready(field) for name, field in record.items() if name != "envelope"}
    summary = _summary(envelope) if isinstance(envelope, dict) else None
    return DecodedEvent(schema=schema, envelope=summary, payload=payload)


def _summary(envelope: dict[str, Any]) -> EnvelopeSummary:
    occurred = envelope.get("occurred_at")
    version = envelope.get("entity_version")
    return EnvelopeSummary(
        event_id=_text(envelope.get("event_id")),
        agency=_text(envelope.get("source_agency")),
        system=_text(envelope.get("source_system")),
        operation=_text(envelope.get("operation")),
        entity_key=_text(envelope.get("entity_key")),
        entity_version=version if isinstance(version, int) else None,
        occurred_at=occurred.astimezone(UTC) if isinstance(occurred, datetime) else None,
        correlation_id=_text(envelope.get("correlation_id")),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def json_ready(value: Any) -> Any:
    """Avro's Python values as JSON's: datetimes ISO 8601, decimals and UUIDs as text,
    bytes as base64."""
    match value:
        case dict():
            return {str(key): json_ready(item) for key, item in value.items()}
        case list() | tuple():
            return [json_ready(item) for item in value]
        case datetime():
            return value.isoformat()
        case Decimal() | UUID():
            return str(value)
        case bytes():
            return base64.b64encode(value).decode("ascii")
        case _ if hasattr(value, "isoformat"):
            return value.isoformat()
        case _:
            return value
