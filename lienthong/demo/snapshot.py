"""What the demo shows at one moment, and how the source compares with the centre."""

from dataclasses import dataclass

from sqlalchemy import Engine, select

from connectors.motcua.source_db import dossiers_table
from streams.centre.schema import DOSSIERS

__all__ = ["DemoSnapshot", "SyncState", "compare_versions", "read_versions"]


@dataclass(frozen=True)
class SyncState:
    source_dossiers: int
    centre_dossiers: int
    missing: int
    """In the source, absent from the centre."""
    extra: int
    """In the centre, gone from the source."""
    behind: int
    """In both, at an older version in the centre."""

    @property
    def in_sync(self) -> bool:
        return self.missing == 0 and self.extra == 0 and self.behind == 0


@dataclass(frozen=True)
class DemoSnapshot:
    elapsed_s: float
    activities: int
    outbox_newest: int | None
    connector_position: int | str | None
    published: int
    dead_lettered: int
    lag: int | None
    sync: SyncState
    worker_alive: bool


def read_versions(source: Engine, centre: Engine) -> tuple[dict[str, int], dict[str, int]]:
    with source.connect() as conn:
        source_rows = conn.execute(select(dossiers_table.c.dossier_no, dossiers_table.c.version))
        in_source = {key: version for key, version in source_rows}
    with centre.connect() as conn:
        centre_rows = conn.execute(select(DOSSIERS.c.dossier_no, DOSSIERS.c.entity_version))
        in_centre = {key: version for key, version in centre_rows}
    return in_source, in_centre


def compare_versions(in_source: dict[str, int], in_centre: dict[str, int]) -> SyncState:
    shared = in_source.keys() & in_centre.keys()
    return SyncState(
        source_dossiers=len(in_source),
        centre_dossiers=len(in_centre),
        missing=len(in_source.keys() - in_centre.keys()),
        extra=len(in_centre.keys() - in_source.keys()),
        behind=sum(1 for key in shared if in_centre[key] < in_source[key]),
    )
