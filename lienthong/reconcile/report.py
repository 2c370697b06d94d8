"""What one reconciliation found, and re-published: counts, and the first keys of each kind.

Only counts and a bounded sample are kept, so a report of millions of keys stays small. Pure.
"""

from collections import Counter
from dataclasses import dataclass, field

from connectors.motcua.department import OutboxEventType
from lienthong.reconcile.compare import DriftKind, KeyComparison

__all__ = ["UNREPAIRABLE", "DriftSample", "ReconcileReport", "RepairReport", "Republished"]

UNREPAIRABLE = frozenset({DriftKind.AHEAD, DriftKind.UNPUBLISHABLE})
"""Drift no re-published event can fix: the centre ignores older versions, and the connector
dead-letters a row it cannot map."""


@dataclass(frozen=True, slots=True)
class DriftSample:
    key: str
    source_version: int | None
    centre_version: int | None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class Republished:
    """One outbox row written by a repair."""

    outbox_id: int
    key: str
    event_type: OutboxEventType
    version: int
    """The version in the payload (a delete event carries this version plus one)."""


@dataclass
class RepairReport:
    correlation_id: str
    sample_limit: int
    counts: Counter[OutboxEventType] = field(default_factory=Counter)
    first: list[Republished] = field(default_factory=list)
    first_id: int | None = None
    last_id: int | None = None
    skipped: int = 0
    """Drifting keys changed at the source since they were read: their own outbox row fixes them."""

    def add(self, republished: Republished) -> None:
        self.counts[republished.event_type] += 1
        if len(self.first) < self.sample_limit:
            self.first.append(republished)
        if self.first_id is None:
            self.first_id = republished.outbox_id
        self.last_id = republished.outbox_id

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class ReconcileReport:
    source_database: str
    centre_database: str
    sample_limit: int
    source_dossiers: int = 0
    centre_dossiers: int = 0
    matching: int = 0
    drift: Counter[DriftKind] = field(default_factory=Counter)
    samples: dict[DriftKind, list[DriftSample]] = field(default_factory=dict)
    repair: RepairReport | None = None

    def add(self, comparison: KeyComparison) -> None:
        source, centre = comparison.source, comparison.centre
        self.source_dossiers += source is not None
        self.centre_dossiers += centre is not None
        kind = comparison.drift
        if kind is None:
            self.matching += 1
            return
        self.drift[kind] += 1
        first = self.samples.setdefault(kind, [])
        if len(first) < self.sample_limit:
            problem = (source.problem if source else None) or (centre.problem if centre else None)
            first.append(
                DriftSample(
                    comparison.key,
                    source.version if source else None,
                    centre.version if centre else None,
                    problem,
                )
            )

    @property
    def drifting(self) -> int:
        return sum(self.drift.values())

    @property
    def unrepaired(self) -> int:
        """Drifting keys left as they are: all of them without a repair."""
        if self.repair is None:
            return self.drifting
        return sum(self.drift[kind] for kind in UNREPAIRABLE)

    @property
    def in_sync(self) -> bool:
        return self.drifting == 0
