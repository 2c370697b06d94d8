"""Kafka header names the connectors write, beside `lienthong.codec.SCHEMA_HEADER`."""

from typing import Final

__all__ = ["CONNECTOR_HEADER", "EVENT_ID_HEADER", "SOURCE_POSITION_HEADER"]

EVENT_ID_HEADER: Final = "lienthong.event.id"
"""The event's id (the envelope's `event_id`), readable without decoding the value."""

SOURCE_POSITION_HEADER: Final = "lienthong.source.position"
"""Where in the source the record was read, e.g. the outbox row id."""

CONNECTOR_HEADER: Final = "lienthong.connector"
"""Name of the connector that wrote the record."""
