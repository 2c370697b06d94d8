"""The `motcua` payload: the one-stop-shop department's flat dossier JSON, its event type
(created / updated / deleted / snapshot) in the row's event-type column."""

from uuid import UUID

from connectors.contract import Change, Domain
from connectors.motcua.mapping import read_dossier_payload
from connectors.outbox.rows import VALIDATE, OutboxRow
from lienthong.errors import DeadLetterError
from lienthong.events import Operation

__all__ = ["motcua_change"]


def motcua_change(row: OutboxRow, domain: Domain, key: str, event_id: UUID) -> Change:
    if domain is not Domain.DOSSIERS:
        raise DeadLetterError(
            f"the motcua payload format carries dossiers, not {domain}", stage=VALIDATE
        )
    if row.event_type is None:
        raise DeadLetterError("the row has no event_type", stage=VALIDATE)
    occurred_at = row.occurred_at_utc()
    if occurred_at is None:
        raise DeadLetterError("the row has no occurred_at", stage=VALIDATE)
    read = read_dossier_payload(row.event_type, row.payload_text(), key)
    deleted = read.operation is Operation.DELETE
    dossier = read.dossier.model_dump(mode="json")
    position = str(row.id)
    return Change(
        domain=domain,
        key=read.dossier.dossier_no,
        operation=read.operation,
        version=read.version,
        occurred_at=occurred_at,
        after=None if deleted else dossier,
        before=dossier if deleted else None,
        position=position,
        event_id=event_id,
        admin_unit_code=read.dossier.applicant.commune_code,
        correlation_id=row.correlation_id,
        causation_id=row.causation_id,
        source_position=position,
    )
