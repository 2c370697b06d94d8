"""Dossiers of the one-stop-shop as a kind the centre keeps (tables in streams.centre.schema,
rows in streams.centre.rows)."""

from lienthong.events import DossierChange
from schemas import DOSSIER_CHANGE
from streams.centre.kinds import (
    EntityKey,
    EntityKind,
    before_after_contract,
    state_before_delete,
)
from streams.centre.rows import dossier_row
from streams.centre.schema import DELETED_DOSSIERS, DOSSIER_HISTORY, DOSSIERS
from streams.centre.scores import DailyScores

__all__ = ["DOSSIER_KIND"]


def _key(change: DossierChange) -> EntityKey:
    return (change.envelope.entity_key,)


def _contract(change: DossierChange, key: str) -> str | None:
    return before_after_contract(change, key, "dossier_no")


DOSSIER_KIND: EntityKind[DossierChange] = EntityKind(
    name="dossiers",
    model=DossierChange,
    record=DOSSIER_CHANGE,
    current=DOSSIERS,
    key_columns=("dossier_no",),
    history=DOSSIER_HISTORY,
    history_key="dossier_no",
    history_state="dossier",
    deleted=DELETED_DOSSIERS,
    key_of=_key,
    row_of=dossier_row,
    state_of=state_before_delete,
    contract=_contract,
    derivations=(DailyScores(),),
)
