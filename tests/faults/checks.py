"""What the fault suite requires of the centre once the load stopped and the pipeline
drained: each source's entities at their newest version, no entity more, one history row per
change the sources made, never two for one event."""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, Table, distinct, func, select

from connectors.motcua.source_db import dossiers_table, outbox_table
from streams.centre.document_kind import DOCUMENT_HISTORY, DOCUMENTS
from streams.centre.land_kind import LAND_PARCEL_HISTORY, LAND_PARCELS
from streams.centre.schema import DOSSIER_HISTORY, DOSSIERS
from streams.centre.status_kind import DOCUMENT_STATUS_HISTORY
from tests.faults.bus import FaultBus

__all__ = ["Drift", "drift", "duplicated_history", "history_counts", "source_changes"]

HISTORIES = (DOSSIER_HISTORY, LAND_PARCEL_HISTORY, DOCUMENT_HISTORY, DOCUMENT_STATUS_HISTORY)


@dataclass(frozen=True)
class Drift:
    kind: str
    missing: list[str]
    stale: list[str]
    """Keys whose centre version is not the source's: `key centre<source`."""
    extra: list[str]

    def __bool__(self) -> bool:
        return bool(self.missing or self.stale or self.extra)

    def __str__(self) -> str:
        return (
            f"{self.kind}: {len(self.missing)} missing {self.missing[:5]}, {len(self.stale)} "
            f"stale {self.stale[:5]}, {len(self.extra)} extra {self.extra[:5]}"
        )


def _compare(kind: str, source: Mapping[str, int], centre: Mapping[str, int]) -> Drift:
    return Drift(
        kind,
        missing=sorted(set(source) - set(centre)),
        stale=sorted(
            f"{key} {centre[key]}<>{version}"
            for key, version in source.items()
            if key in centre and centre[key] != version
        ),
        extra=sorted(set(centre) - set(source)),
    )


def _versions(
    engine: Engine, table: Table, key: str, version: str = "entity_version"
) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(table.c[key], table.c[version]))
        return {k: v for k, v in rows}


def drift(bus: FaultBus, centre: Engine) -> list[Drift]:
    """Per kind, what the centre holds otherwise than its source; empty when in sync."""
    with bus.motcua_db.connect() as conn:
        rows = conn.execute(select(dossiers_table.c.dossier_no, dossiers_table.c.version))
        dossiers = {k: v for k, v in rows}
    documents = dict(bus.edoc._sent)
    in_centre_documents = {
        k: v for k, v in _versions(centre, DOCUMENTS, "document_id").items() if k in documents
    }
    found = [
        _compare("dossiers", dossiers, _versions(centre, DOSSIERS, "dossier_no")),
        _compare("documents", documents, in_centre_documents),
        # pgcdc numbers a parcel's events by log position; the register's own version is
        # the parcel's `version`.
        _compare(
            "land parcels",
            bus.land.versions(),
            _versions(centre, LAND_PARCELS, "parcel_id", version="version"),
        ),
    ]
    return [d for d in found if d]


def duplicated_history(centre: Engine) -> dict[str, int]:
    """Per history table, rows beyond one per event id (none expected)."""
    found = {}
    with centre.connect() as conn:
        for table in HISTORIES:
            rows, events = conn.execute(
                select(func.count(), func.count(distinct(table.c.event_id))).select_from(table)
            ).one()
            if rows != events:
                found[table.name] = rows - events
    return found


def history_counts(centre: Engine) -> dict[str, int]:
    with centre.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (DOSSIER_HISTORY, LAND_PARCEL_HISTORY)
        }


def source_changes(bus: FaultBus) -> dict[str, int]:
    """Changes the sources made, each one event: the one-stop-shop's outbox rows; the land
    register's parcels were created at version 1 and moved by one per change."""
    with bus.motcua_db.connect() as conn:
        outbox = conn.execute(select(func.count()).select_from(outbox_table)).scalar_one()
    return {
        DOSSIER_HISTORY.name: outbox,
        LAND_PARCEL_HISTORY.name: sum(bus.land.versions().values()),
    }
