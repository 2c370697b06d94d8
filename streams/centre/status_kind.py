"""E-document statuses as a kind the centre keeps: the latest status each agency reported
for each document, and every status in the history.

A status is a fact: it is reported, never updated or deleted (schemas/
vn.lienthong.edoc.DocumentStatusChange.avsc). Its entity_key is the answered document's
id, so all statuses of a document come in order on one partition and entity_version
orders them; the current row per (document, agency) is the one with the highest version.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, String, Table, Text

from lienthong.events import DocumentStatus, DocumentStatusChange, Operation
from schemas import DOCUMENT_STATUS_CHANGE
from streams.centre.kinds import EntityKey, EntityKind, envelope_fields
from streams.centre.schema import METADATA, UtcDateTime, envelope_columns, history_table

__all__ = [
    "DOCUMENT_STATUSES",
    "DOCUMENT_STATUS_HISTORY",
    "STATUS_KIND",
    "status_from_row",
]

DOCUMENT_STATUSES = Table(
    "document_statuses",
    METADATA,
    Column("document_id", String, primary_key=True),
    Column("organ_id", String, primary_key=True, comment="the agency reporting the status"),
    Column("status_code", String, nullable=False),
    Column("status_at", UtcDateTime, nullable=False),
    Column("description", Text),
    Column("status", Text, nullable=False, comment="JSON: the whole status"),
    *envelope_columns(),
)

DOCUMENT_STATUS_HISTORY = history_table("document_status_history", "document_id", "status")

_ACCEPTED = (Operation.CREATE, Operation.SNAPSHOT)


def status_row(change: DocumentStatusChange, synced_at: datetime) -> dict[str, Any]:
    status = change.status
    return {
        "document_id": status.response_for.document_id,
        "organ_id": status.from_organization.organ_id,
        "status_code": status.status_code.value,
        "status_at": status.status_at,
        "description": status.description,
        "status": status.model_dump_json(),
        **envelope_fields(change, synced_at),
    }


def status_from_row(row: Any) -> DocumentStatus:
    return DocumentStatus.model_validate_json(row["status"])


def _key(change: DocumentStatusChange) -> EntityKey:
    status = change.status
    return (status.response_for.document_id, status.from_organization.organ_id)


def _state(change: DocumentStatusChange) -> str:
    return change.status.model_dump_json()


def _contract(change: DocumentStatusChange, key: str) -> str | None:
    envelope = change.envelope
    answered = change.status.response_for.document_id
    if envelope.entity_key != key:
        return f"entity_key {envelope.entity_key!r} differs from record key {key!r}"
    if answered != key:
        return f"status.response_for.document_id {answered!r} differs from record key {key!r}"
    if envelope.operation not in _ACCEPTED:
        return f"a status is a fact: {envelope.operation.value} cannot be applied, only CREATE"
    return None


STATUS_KIND: EntityKind[DocumentStatusChange] = EntityKind(
    name="document_statuses",
    model=DocumentStatusChange,
    record=DOCUMENT_STATUS_CHANGE,
    current=DOCUMENT_STATUSES,
    key_columns=("document_id", "organ_id"),
    history=DOCUMENT_STATUS_HISTORY,
    history_key="document_id",
    history_state="status",
    deleted=None,
    key_of=_key,
    row_of=status_row,
    state_of=_state,
    contract=_contract,
)
