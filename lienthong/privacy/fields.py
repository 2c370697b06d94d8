"""The personal data the bus carries: per kind of entity, which fields hold it and what sort
of data each is (a citizen id, a name, a phone number...), so a policy can name them and a
masking rule fits each one.

Found in the schemas (schemas/*.avsc): a dossier's applicant (motcua Applicant) and the
officers of its processing steps; a land parcel's holders (land LandHolder); an e-document's
signer (edoc SignerInfo); a status's staff member (edoc StaffInfo). Organisations' contacts
(edoc Organization) belong to agencies, not people, and are not listed.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from pydantic import BaseModel

from lienthong.events import (
    ChangeEvent,
    Document,
    DocumentChange,
    DocumentStatus,
    DocumentStatusChange,
    Dossier,
    DossierChange,
    LandParcel,
    LandParcelChange,
)

__all__ = ["PERSONAL_KINDS", "PersonalField", "PersonalKind", "PersonalSort", "personal_kind_of"]


class PersonalSort(StrEnum):
    """What a personal field holds; it decides how the field is masked."""

    ID_NUMBER = "id_number"
    """A citizen id (CCCD, 12 digits), an old identity card number (CMND, 9) or a tax code."""
    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"


@dataclass(frozen=True)
class PersonalField:
    path: str
    """Dotted, through nested records and lists alike: `holders.id_number` is every holder's."""
    sort: PersonalSort
    required: bool
    """The schema requires a value, so the field cannot be dropped, only hidden."""


@dataclass(frozen=True)
class PersonalKind:
    name: str
    """As policy files name it: `dossier`, `land_parcel`, `document`, `document_status`."""
    entity: type[BaseModel]
    change: type[ChangeEvent]
    carried_in: tuple[str, ...]
    """The change event's attributes that hold the entity (`before`, `after` or `status`)."""
    fields: tuple[PersonalField, ...]

    def field(self, path: str) -> PersonalField | None:
        return next((f for f in self.fields if f.path == path), None)


def _field(entity: type[BaseModel], path: str, sort: PersonalSort) -> PersonalField:
    """A field of `entity`, its requiredness read from the model so the two never disagree."""
    model: Any = entity
    *parents, last = path.split(".")
    for part in parents:
        model = _record_type(model.model_fields[part].annotation)
    required = model.model_fields[last].is_required()
    return PersonalField(path, sort, required)


def _record_type(annotation: Any) -> type[BaseModel]:
    """The record a field holds, through `X | None` and `tuple[X, ...]`."""
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    raise TypeError(f"{annotation} holds no record")


def _kind(
    name: str,
    entity: type[BaseModel],
    change: type[ChangeEvent],
    carried_in: tuple[str, ...],
    fields: dict[str, PersonalSort],
) -> PersonalKind:
    made = tuple(_field(entity, path, sort) for path, sort in fields.items())
    return PersonalKind(name, entity, change, carried_in, made)


_BEFORE_AFTER: Final = ("before", "after")
S = PersonalSort

PERSONAL_KINDS: Final[tuple[PersonalKind, ...]] = (
    _kind(
        "dossier",
        Dossier,
        DossierChange,
        _BEFORE_AFTER,
        {
            "applicant.id_number": S.ID_NUMBER,
            "applicant.name": S.NAME,
            "applicant.phone": S.PHONE,
            "applicant.email": S.EMAIL,
            "applicant.address": S.ADDRESS,
            "steps.officer": S.NAME,
        },
    ),
    _kind(
        "land_parcel",
        LandParcel,
        LandParcelChange,
        _BEFORE_AFTER,
        {"holders.id_number": S.ID_NUMBER, "holders.name": S.NAME, "address": S.ADDRESS},
    ),
    _kind("document", Document, DocumentChange, _BEFORE_AFTER, {"signer.full_name": S.NAME}),
    _kind(
        "document_status",
        DocumentStatus,
        DocumentStatusChange,
        ("status",),
        {"staff.staff_name": S.NAME, "staff.mobile": S.PHONE, "staff.email": S.EMAIL},
    ),
)

_BY_CHANGE: Final[dict[type[ChangeEvent], PersonalKind]] = {k.change: k for k in PERSONAL_KINDS}


def personal_kind_of(change: ChangeEvent) -> PersonalKind | None:
    return _BY_CHANGE.get(type(change))
