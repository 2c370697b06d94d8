"""How fresh the centre is: per source, when its last event happened; per kind, how far behind."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from lienthong.ids import TopicName
from lienthong.settings import ObserveSettings

__all__ = ["CentreKindSync", "FreshnessLevel", "SourceFreshness"]

FreshnessLevel = Literal["healthy", "late", "silent"]


@dataclass(frozen=True)
class SourceFreshness:
    """One department system (agency, system) the centre has applied events from."""

    agency: str
    system: str
    last_event_at: datetime | None
    """The newest occurred_at the centre applied from this source."""
    last_applied_at: datetime | None
    """When the centre last applied one of its events."""
    events_applied: int
    """History rows (one per accepted change event) from this source."""

    def age_s(self, now: datetime) -> float | None:
        """Seconds since the source's last event happened; None when it has none."""
        if self.last_event_at is None:
            return None
        return max((now - self.last_event_at).total_seconds(), 0.0)

    def level(self, now: datetime, observe: ObserveSettings) -> FreshnessLevel:
        age = self.age_s(now)
        if age is None or age >= observe.silent_after_s:
            return "silent"
        return "late" if age >= observe.late_after_s else "healthy"


@dataclass(frozen=True)
class CentreKindSync:
    """One kind of entity (dossiers, land_parcels, documents, document_statuses) in the centre."""

    kind: str
    topic: TopicName
    current_rows: int
    history_rows: int
    last_synced_at: datetime | None
    behind: int
    """Records on the topic the centre has not applied yet, as read_committed delivers them
    (transaction markers and aborted records do not count; records of a transaction still
    open neither, until it commits)."""
