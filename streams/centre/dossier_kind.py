"""Dossiers of the one-stop-shop as a kind the centre keeps (tables in streams.centre.schema,
rows in streams.centre.rows)."""

from lienthong.events import DossierChange
from schemas import DOSSIER_CHANGE
from streams.centre.kinds import before_after_kind
from streams.centre.rows import dossier_row
from streams.centre.schema import DELETED_DOSSIERS, DOSSIER_HISTORY, DOSSIERS
from streams.centre.scores import DailyScores

__all__ = ["DOSSIER_KIND"]


DOSSIER_KIND = before_after_kind(
    "dossiers",
    DossierChange,
    DOSSIER_CHANGE,
    current=DOSSIERS,
    deleted=DELETED_DOSSIERS,
    history=DOSSIER_HISTORY,
    id_field="dossier_no",
    state="dossier",
    row_of=dossier_row,
    derivations=(DailyScores(),),
)
