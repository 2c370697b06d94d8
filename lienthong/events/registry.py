"""Which typed model reads each record that travels on a topic (schemas.TOP_LEVEL)."""

from collections.abc import Mapping
from types import MappingProxyType

from lienthong.events.dossier import DossierChange
from lienthong.events.edoc import DocumentChange
from lienthong.events.edoc_status import DocumentStatusChange
from lienthong.events.envelope import ChangeEvent
from lienthong.events.land import LandParcelChange
from schemas import DOCUMENT_CHANGE, DOCUMENT_STATUS_CHANGE, DOSSIER_CHANGE, LAND_PARCEL_CHANGE

__all__ = ["CHANGE_MODELS"]

CHANGE_MODELS: Mapping[str, type[ChangeEvent]] = MappingProxyType(
    {
        DOSSIER_CHANGE: DossierChange,
        LAND_PARCEL_CHANGE: LandParcelChange,
        DOCUMENT_CHANGE: DocumentChange,
        DOCUMENT_STATUS_CHANGE: DocumentStatusChange,
    }
)
"""Full record name (as in the `lienthong.schema` header) to the model that validates it."""
