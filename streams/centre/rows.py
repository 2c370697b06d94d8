"""Pure mapping between change events and the centre's rows, both directions."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from lienthong.events import Applicant, Dossier, DossierChange, ProcessingStep

__all__ = ["deletion_row", "dossier_from_row", "dossier_row"]

_STEPS = TypeAdapter(tuple[ProcessingStep, ...])


def dossier_row(change: DossierChange, synced_at: datetime) -> dict[str, Any]:
    """The `dossiers` row a CREATE, UPDATE or SNAPSHOT leaves in the centre."""
    dossier = change.after
    if dossier is None:
        raise ValueError(f"event {change.envelope.event_id} carries no dossier to store")
    applicant = dossier.applicant
    envelope = change.envelope
    return {
        "dossier_no": dossier.dossier_no,
        "procedure_code": dossier.procedure_code,
        "local_procedure_code": dossier.local_procedure_code,
        "field_code": dossier.field_code,
        "receiving_agency": dossier.receiving_agency,
        "applicant_kind": applicant.kind.value,
        "applicant_id_number": applicant.id_number,
        "applicant_name": applicant.name,
        "applicant_phone": applicant.phone,
        "applicant_email": applicant.email,
        "applicant_address": applicant.address,
        "applicant_province_code": applicant.province_code,
        "applicant_commune_code": applicant.commune_code,
        "status": dossier.status,
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "extended_due_at": dossier.extended_due_at,
        "finished_at": dossier.finished_at,
        "returned_at": dossier.returned_at,
        "cancelled_at": dossier.cancelled_at,
        "fee_vnd": dossier.fee_vnd,
        "steps": _STEPS.dump_json(dossier.steps).decode(),
        "entity_version": envelope.entity_version,
        "event_id": str(envelope.event_id),
        "source_agency": envelope.source_agency,
        "source_system": envelope.source_system,
        "occurred_at": envelope.occurred_at,
        "synced_at": synced_at,
    }


def deletion_row(change: DossierChange, synced_at: datetime) -> dict[str, Any]:
    """The `deleted_dossiers` marker a DELETE leaves behind."""
    envelope = change.envelope
    return {
        "dossier_no": envelope.entity_key,
        "entity_version": envelope.entity_version,
        "event_id": str(envelope.event_id),
        "occurred_at": envelope.occurred_at,
        "synced_at": synced_at,
    }


def dossier_from_row(row: Mapping[Any, Any]) -> Dossier:
    """The dossier as the centre holds it, for readers and for checking a copy is faithful."""
    applicant = Applicant.model_validate(
        {key.removeprefix("applicant_"): row[key] for key in row if key.startswith("applicant_")}
    )
    fields = {
        name: row[name] for name in Dossier.model_fields if name not in ("applicant", "steps")
    }
    steps = _STEPS.validate_json(row["steps"])
    return Dossier.model_validate({**fields, "applicant": applicant, "steps": steps})
