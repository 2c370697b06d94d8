"""What the demo shows at one moment: per department, what was simulated, what its connector
published and how the centre compares with the source; the centre's counts per kind."""

from collections.abc import Mapping
from dataclasses import dataclass

from streams.centre import KindCounts

__all__ = ["DemoSnapshot", "DepartmentProgress", "SyncState", "compare_versions"]


@dataclass(frozen=True)
class SyncState:
    """One department's entities at the source against the centre, key by key."""

    entities: str
    """What is compared: dossiers, documents, land parcels."""
    source: int
    centre: int
    missing: int
    """At the source, absent from the centre."""
    extra: int
    """In the centre, gone from the source."""
    behind: int
    """In both, at an older version in the centre."""
    pending: int = 0
    """Inputs the connector has not published yet (outbox rows, files in the inbox)."""

    @property
    def in_sync(self) -> bool:
        return not (self.missing or self.extra or self.behind or self.pending)


def compare_versions(
    entities: str, in_source: Mapping[str, int], in_centre: Mapping[str, int], *, pending: int = 0
) -> SyncState:
    """Entity key to version on each side; the centre must hold exactly the source's keys,
    each at the source's version."""
    shared = in_source.keys() & in_centre.keys()
    return SyncState(
        entities=entities,
        source=len(in_source),
        centre=len(in_centre),
        missing=len(in_source.keys() - in_centre.keys()),
        extra=len(in_centre.keys() - in_source.keys()),
        behind=sum(1 for key in shared if in_centre[key] < in_source[key]),
        pending=pending,
    )


@dataclass(frozen=True)
class DepartmentProgress:
    title: str
    activities: int
    """Changes its simulator made so far in this run."""
    connector: str
    kind: str
    published: int
    dead_lettered: int
    sync: SyncState


@dataclass(frozen=True)
class DemoSnapshot:
    elapsed_s: float
    departments: tuple[DepartmentProgress, ...]
    centre: Mapping[str, KindCounts]
    """What the centre holds per kind of entity."""
    lag: int | None
    """Records on the centre's topics the stream worker has not applied yet."""
    worker_alive: bool

    @property
    def activities(self) -> int:
        return sum(department.activities for department in self.departments)

    @property
    def published(self) -> int:
        return sum(department.published for department in self.departments)

    @property
    def dead_lettered(self) -> int:
        return sum(department.dead_lettered for department in self.departments)

    @property
    def in_sync(self) -> bool:
        return all(department.sync.in_sync for department in self.departments)
