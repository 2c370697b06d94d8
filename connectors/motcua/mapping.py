"""One outbox row to one `DossierChange`, or a `DeadLetterError` saying what is wrong with it.

Pure: no I/O, no clock.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from connectors.motcua.department import OutboxEventType
from connectors.motcua.outbox_reader import OutboxRow
from connectors.motcua.payload import VALIDATE, nfc, parse_instant, parse_payload
from lienthong.errors import DeadLetterError
from lienthong.events import (
    AdminCodeList,
    ApplicantKind,
    Dossier,
    DossierChange,
    Envelope,
    Operation,
)

__all__ = [
    "EVENT_NAMESPACE",
    "DossierPayload",
    "SourceIdentity",
    "event_id_for",
    "read_dossier_payload",
    "to_dossier_change",
]

EVENT_NAMESPACE = uuid.UUID("6f1d3c52-7a0e-5b8e-9c1e-4b5d2a8f0c11")
"""Namespace of the name-based (uuid5) ids of events read from a source's outbox."""

_OPERATIONS: dict[str, Operation] = {
    OutboxEventType.CREATED.value: Operation.CREATE,
    OutboxEventType.UPDATED.value: Operation.UPDATE,
    OutboxEventType.DELETED.value: Operation.DELETE,
    OutboxEventType.SNAPSHOT.value: Operation.SNAPSHOT,
}
_REQUIRED = tuple(
    "dossier_no procedure_code receiving_agency applicant_name status submitted_at version".split()
)
_INSTANTS = tuple(
    "submitted_at received_at due_at extended_due_at finished_at returned_at cancelled_at".split()
)
_DOSSIER_FIELDS = tuple(
    "dossier_no procedure_code local_procedure_code "
    "field_code receiving_agency status fee_vnd".split()
)
_APPLICANT_FIELDS = tuple("id_number name phone email address province_code commune_code".split())
_STEP_FIELDS = ("action", "officer", "unit", "note")
_KINDS = {"citizen": ApplicantKind.CITIZEN, "business": ApplicantKind.BUSINESS}


@dataclass(frozen=True, slots=True)
class SourceIdentity:
    """Who the events come from, and which administrative-unit code list its communes follow."""

    agency: str
    system: str
    code_list: AdminCodeList = AdminCodeList.VN2025


def event_id_for(source: SourceIdentity, outbox_id: int) -> uuid.UUID:
    """Stable per source row: re-reading and re-sending the row yields the same event id."""
    return uuid.uuid5(EVENT_NAMESPACE, f"{source.agency}/{source.system}/outbox/{outbox_id}")


@dataclass(frozen=True, slots=True)
class DossierPayload:
    """What an outbox row says happened to one dossier, read and checked."""

    operation: Operation
    version: int
    """The entity version of the change: a delete is one more version than the deleted state."""
    dossier: Dossier
    """The state after the change; for a delete, the state that was deleted."""


def read_dossier_payload(event_type: str, payload: str, aggregate_id: str) -> DossierPayload:
    """The department's payload as a checked dossier, or a DeadLetterError saying what is wrong."""
    operation = _OPERATIONS.get(event_type)
    if operation is None:
        expected = ", ".join(_OPERATIONS)
        raise DeadLetterError(
            f"unknown event_type {event_type!r} (expected one of {expected})", stage=VALIDATE
        )
    document = parse_payload(payload)
    missing = [name for name in _REQUIRED if document.get(name) in (None, "")]
    if missing:
        raise DeadLetterError(f"payload is missing required field {missing[0]!r}", stage=VALIDATE)
    version = document["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise DeadLetterError(
            f"field 'version' must be a whole number, got {version!r}", stage=VALIDATE
        )
    dossier = _dossier(document)
    if dossier.dossier_no != nfc(aggregate_id):
        raise DeadLetterError(
            f"aggregate_id {aggregate_id!r} differs from the payload's dossier_no "
            f"{dossier.dossier_no!r}",
            stage=VALIDATE,
        )
    # A delete is one more version of the entity: versions only ever increase.
    deleted = operation is Operation.DELETE
    return DossierPayload(operation, version + 1 if deleted else version, dossier)


def to_dossier_change(
    row: OutboxRow, source: SourceIdentity, ingested_at: datetime
) -> DossierChange:
    read = read_dossier_payload(row.event_type, row.payload, row.aggregate_id)
    dossier, deleted = read.dossier, read.operation is Operation.DELETE
    commune = dossier.applicant.commune_code
    try:
        envelope = Envelope(
            event_id=event_id_for(source, row.id),
            source_agency=source.agency,
            source_system=source.system,
            operation=read.operation,
            occurred_at=row.occurred_at,
            ingested_at=ingested_at,
            entity_key=dossier.dossier_no,
            entity_version=read.version,
            admin_unit_code=commune,
            admin_code_list=source.code_list if commune else AdminCodeList.UNKNOWN,
            correlation_id=row.correlation_id,
            causation_id=row.causation_id,
            source_position=str(row.id),
            payload_sha256=hashlib.sha256(row.payload.encode("utf-8")).hexdigest(),
        )
    except ValidationError as exc:
        raise DeadLetterError(_describe(exc, "outbox row "), stage=VALIDATE) from exc
    return DossierChange(
        envelope=envelope, before=dossier if deleted else None, after=None if deleted else dossier
    )


def _dossier(document: dict[str, Any]) -> Dossier:
    steps = document.get("steps") or []
    if not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps):
        raise DeadLetterError("field 'steps' must be a list of objects", stage=VALIDATE)
    record: dict[str, Any] = {name: document.get(name) for name in _DOSSIER_FIELDS}
    record["fee_vnd"] = record["fee_vnd"] or 0
    record |= {name: parse_instant(name, document.get(name)) for name in _INSTANTS}
    record["applicant"] = {name: document.get(f"applicant_{name}") for name in _APPLICANT_FIELDS}
    kind = document.get("applicant_kind")
    record["applicant"]["kind"] = (
        _KINDS.get(kind.strip().casefold(), ApplicantKind.UNKNOWN)
        if isinstance(kind, str)
        else ApplicantKind.UNKNOWN
    )
    record["steps"] = [
        {
            **{name: step.get(name) for name in _STEP_FIELDS},
            "at": parse_instant(f"steps[{i}].at", step.get("at")),
        }
        for i, step in enumerate(steps)
    ]
    try:
        return Dossier.model_validate(record)
    except ValidationError as exc:
        raise DeadLetterError(_describe(exc, ""), stage=VALIDATE) from exc


def _describe(exc: ValidationError, prefix: str) -> str:
    error = exc.errors()[0]
    path = [str(part) for part in error["loc"]]
    if path[:1] == ["applicant"] and len(path) > 1:
        path = [f"applicant_{path[1]}", *path[2:]]
    elif path[:1] == ["steps"] and len(path) > 2:
        path = [f"steps[{path[1]}]", *path[2:]]
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{prefix}field {'.'.join(path)!r}: {error['msg']}{more}"
