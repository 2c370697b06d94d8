"""Counters a running connector exposes for progress displays and health checks."""

from dataclasses import dataclass
from datetime import datetime

__all__ = ["ConnectorStats"]


@dataclass(slots=True)
class ConnectorStats:
    """Counts of committed work only: nothing counted here is rolled back later."""

    published: int = 0
    """Change events published (tombstones and dead letters not included)."""
    tombstones: int = 0
    dead_lettered: int = 0
    batches: int = 0
    position: int | str | None = None
    """Last source position committed to Kafka; None until the stored position is read."""
    failures: int = 0
    """Sessions ended by a failure (Kafka or the source unavailable) and retried."""
    last_commit_at: datetime | None = None
