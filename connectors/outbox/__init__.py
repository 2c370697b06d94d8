"""The `outbox` connector kind: a department's transactional outbox table, read in id order."""

from connectors.outbox.canonical import CanonicalPayload
from connectors.outbox.options import OutboxColumns, OutboxOptions, PayloadFormat
from connectors.outbox.source import OutboxSource

__all__ = ["CanonicalPayload", "OutboxColumns", "OutboxOptions", "OutboxSource", "PayloadFormat"]
