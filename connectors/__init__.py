"""Connectors: each reads one department system and publishes its changes to the bus."""

from connectors.publisher import OutgoingRecord, TransactionalPublisher
from connectors.stats import ConnectorStats

__all__ = ["ConnectorStats", "OutgoingRecord", "TransactionalPublisher"]
