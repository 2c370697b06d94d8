"""Which outbox event re-publishes a drifting dossier so the normal pipeline repairs the centre.

A key the centre lacks or holds wrongly gets a SNAPSHOT of the source row as it stands now, at
its current version: the centre re-applies an equal version and ignores an older one, so the
snapshot repairs a corrupted row and can never undo a newer change. A key the source no longer
has gets a DELETE built from the centre's copy; it carries the centre's version plus one, so
the centre drops the row. Pure: no I/O.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.motcua.department import DeptDossier, DeptStep, OutboxEventType
from lienthong.events import Dossier
from lienthong.reconcile.compare import DriftKind, KeyComparison

__all__ = ["REPAIRABLE", "PlannedEvent", "dept_dossier", "planned_event"]

REPAIRABLE = frozenset({DriftKind.MISSING, DriftKind.EXTRA, DriftKind.DIFFERENT, DriftKind.BEHIND})


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    event_type: OutboxEventType
    dossier: DeptDossier


def planned_event(
    comparison: KeyComparison, current_row: Mapping[Any, Any] | None
) -> PlannedEvent | None:
    """The event for a drifting key, given its source row re-read now (None: no such row).

    None when there is nothing to re-publish: the key is not repairable, or it changed at the
    source since it was compared, and the outbox row of that change already carries the fix.
    """
    if comparison.drift not in REPAIRABLE:
        return None
    if current_row is not None:
        try:
            return PlannedEvent(OutboxEventType.SNAPSHOT, DeptDossier.from_row(current_row))
        except (ValueError, TypeError, KeyError):
            return None
    centre = comparison.centre
    if comparison.drift is DriftKind.EXTRA and centre is not None and centre.dossier is not None:
        return PlannedEvent(OutboxEventType.DELETED, dept_dossier(centre.dossier, centre.version))
    return None


def dept_dossier(dossier: Dossier, version: int) -> DeptDossier:
    """The department's row for a bus dossier: the connector's mapping, backwards."""
    applicant = dossier.applicant
    return DeptDossier(
        dossier_no=dossier.dossier_no,
        procedure_code=dossier.procedure_code,
        local_procedure_code=dossier.local_procedure_code,
        field_code=dossier.field_code,
        receiving_agency=dossier.receiving_agency,
        applicant_kind=applicant.kind.value.lower(),
        applicant_id_number=applicant.id_number,
        applicant_name=applicant.name,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        applicant_province_code=applicant.province_code,
        applicant_commune_code=applicant.commune_code,
        status=dossier.status,
        submitted_at=dossier.submitted_at,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        extended_due_at=dossier.extended_due_at,
        finished_at=dossier.finished_at,
        returned_at=dossier.returned_at,
        cancelled_at=dossier.cancelled_at,
        fee_vnd=dossier.fee_vnd,
        steps=tuple(DeptStep(s.at, s.action, s.officer, s.unit, s.note) for s in dossier.steps),
        version=version,
    )
