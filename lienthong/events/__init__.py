"""Typed views of the events defined in `schemas/`; a test keeps them equal to the `.avsc` files."""

from lienthong.events.dossier import (
    Applicant,
    ApplicantKind,
    Dossier,
    DossierChange,
    ProcessingStep,
)
from lienthong.events.edoc import (
    AttachmentRef,
    BusinessDocType,
    Document,
    DocumentChange,
    DocumentCode,
    DocumentType,
    Organization,
    OtherInfo,
    PromulgationInfo,
    SignerInfo,
    TraceHeader,
)
from lienthong.events.edoc_status import (
    DocumentStatus,
    DocumentStatusChange,
    DocumentStatusCode,
    ResponseFor,
    StaffInfo,
)
from lienthong.events.envelope import AdminCodeList, ChangeEvent, Envelope, Operation
from lienthong.events.land import (
    LandCertificate,
    LandHolder,
    LandHolderKind,
    LandParcel,
    LandParcelChange,
    LandUse,
    ParcelRef,
)
from lienthong.events.registry import CHANGE_MODELS

__all__ = [
    "CHANGE_MODELS",
    "AdminCodeList",
    "Applicant",
    "ApplicantKind",
    "AttachmentRef",
    "BusinessDocType",
    "ChangeEvent",
    "Document",
    "DocumentChange",
    "DocumentCode",
    "DocumentStatus",
    "DocumentStatusChange",
    "DocumentStatusCode",
    "DocumentType",
    "Dossier",
    "DossierChange",
    "Envelope",
    "LandCertificate",
    "LandHolder",
    "LandHolderKind",
    "LandParcel",
    "LandParcelChange",
    "LandUse",
    "Operation",
    "Organization",
    "OtherInfo",
    "ParcelRef",
    "ProcessingStep",
    "PromulgationInfo",
    "ResponseFor",
    "SignerInfo",
    "StaffInfo",
    "TraceHeader",
]
