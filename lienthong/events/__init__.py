"""Typed views of the events defined in `schemas/`; a test keeps them equal to the `.avsc` files."""

from lienthong.events.dossier import (
    Applicant,
    ApplicantKind,
    Dossier,
    DossierChange,
    ProcessingStep,
)
from lienthong.events.envelope import AdminCodeList, Envelope, Operation

__all__ = [
    "AdminCodeList",
    "Applicant",
    "ApplicantKind",
    "Dossier",
    "DossierChange",
    "Envelope",
    "Operation",
    "ProcessingStep",
]
