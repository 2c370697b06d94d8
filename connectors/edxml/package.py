"""An edXML package (QCVN 102:2016/BTTTT, as amended in 2022) read into a `Document`.

Supported subset, by local element name:

- `edXMLEnvelope/edXMLHeader/MessageHeader`: `From` and `To` (OrganId, OrganName, OrganAdd,
  Email, Telephone, Fax, Website), `Code` (CodeNumber, CodeNotation), `PromulgationInfo`
  (Place, PromulgationDate), `DocumentType` (Type, TypeDetail, TypeName), `Subject`,
  `Content`, `SignerInfo` (Competence, Position, FullName), `DueDate`, `ToPlaces/Place`,
  `OtherInfo` (Priority, SphereOfPromulgation, PageAmount, Appendixes/Appendix),
  `SteeringType`. Ignored: OrganizationInCharge, TyperNotation, PromulgationAmount,
  ResponseDate and the sender's own `DocumentId` (the id is rebuilt from the header).
- `TraceHeaderList/TraceHeader` (OrganId, Timestamp) and its business part `Bussiness` (the
  standard's spelling; `Business` is accepted too): BussinessDocType, BussinessDocReason,
  `ReplacementInfoList/ReplacementInfo/DocumentId`.
- The XML signature (`Signature` or `DigitalSignature`): noted with its signer, not verified.
- Attachments: see `connectors.edxml.attachments`.
"""

from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from connectors.building import describe_validation
from connectors.edxml.attachments import EmbeddedAttachment, embedded_attachments
from connectors.edxml.values import edxml_date, edxml_instant, edxml_int, edxml_text_date
from connectors.edxml.xml_reading import (
    PARSE,
    child,
    children,
    descendant,
    required_child,
    required_text,
    text,
)
from lienthong.errors import DeadLetterError
from lienthong.events import BusinessDocType, Document

__all__ = ["ParsedPackage", "SignatureInfo", "organization", "read_package"]

_HEADER = "MessageHeader"


@dataclass(frozen=True, slots=True)
class SignatureInfo:
    """What the package's XML signature says about its signer (not verified)."""

    signer_subject: str | None
    certificate_serial: str | None


@dataclass(frozen=True, slots=True)
class ParsedPackage:
    document: Document
    """The document with no attachments yet: their URIs depend on where the bytes go."""
    attachments: tuple[EmbeddedAttachment, ...]
    signature: SignatureInfo | None


def read_package(root: Element, envelope: Element) -> ParsedPackage:
    header = descendant(envelope, _HEADER)
    if header is None:
        raise DeadLetterError(f"missing element edXMLHeader/{_HEADER}", stage=PARSE)
    sender = organization(required_child(header, "From", _HEADER), f"{_HEADER}/From")
    code = required_child(header, "Code", _HEADER)
    number = required_text(code, "CodeNumber", f"{_HEADER}/Code")
    notation = required_text(code, "CodeNotation", f"{_HEADER}/Code")
    promulgation = _promulgation(required_child(header, "PromulgationInfo", _HEADER))
    receivers = [organization(to, f"{_HEADER}/To") for to in children(header, "To")]
    if not receivers:
        raise DeadLetterError(f"missing element {_HEADER}/To", stage=PARSE)
    traces = descendant(envelope, "TraceHeaderList")
    document: dict[str, Any] = {
        "document_id": (
            f"{sender['organ_id']},{edxml_text_date(promulgation['promulgation_date'])},"
            f"{number}/{notation}"
        ),
        "from_organization": sender,
        "to_organizations": receivers,
        "code": {"number": number, "notation": notation},
        "promulgation": promulgation,
        "document_type": _document_type(required_child(header, "DocumentType", _HEADER)),
        "subject": required_text(header, "Subject", _HEADER),
        "content": text(header, "Content"),
        "signer": _signer(required_child(header, "SignerInfo", _HEADER)),
        "due_date": _optional_date(header, "DueDate"),
        "other_info": _other_info(child(header, "OtherInfo")),
        "steering_type": edxml_int(text(header, "SteeringType"), f"{_HEADER}/SteeringType"),
        "to_places": _to_places(child(header, "ToPlaces")),
        **_trace(traces),
    }
    try:
        parsed = Document.model_validate(document)
    except ValidationError as exc:
        raise DeadLetterError(describe_validation(exc), stage=PARSE) from exc
    return ParsedPackage(parsed, embedded_attachments(root), _signature(envelope))


def organization(element: Element, where: str) -> dict[str, Any]:
    return {
        "organ_id": required_text(element, "OrganId", where),
        "name": required_text(element, "OrganName", where),
        "address": text(element, "OrganAdd"),
        "email": text(element, "Email"),
        "telephone": text(element, "Telephone"),
        "fax": text(element, "Fax"),
        "website": text(element, "Website"),
    }


def _promulgation(element: Element) -> dict[str, Any]:
    where = f"{_HEADER}/PromulgationInfo"
    return {
        "place": required_text(element, "Place", where),
        "promulgation_date": edxml_date(
            required_text(element, "PromulgationDate", where), f"{where}/PromulgationDate"
        ),
    }


def _document_type(element: Element) -> dict[str, Any]:
    where = f"{_HEADER}/DocumentType"
    return {
        "type": edxml_int(required_text(element, "Type", where), f"{where}/Type"),
        "type_detail": edxml_int(text(element, "TypeDetail"), f"{where}/TypeDetail"),
        "type_name": required_text(element, "TypeName", where),
    }


def _signer(element: Element) -> dict[str, Any]:
    where = f"{_HEADER}/SignerInfo"
    return {
        "competence": text(element, "Competence"),
        "position": required_text(element, "Position", where),
        "full_name": required_text(element, "FullName", where),
    }


def _optional_date(header: Element, name: str) -> Any:
    value = text(header, name)
    return None if value is None else edxml_date(value, f"{_HEADER}/{name}")


def _other_info(element: Element | None) -> dict[str, Any]:
    if element is None:
        return {}
    where = f"{_HEADER}/OtherInfo"
    appendixes = child(element, "Appendixes")
    listed = children(appendixes, "Appendix") if appendixes is not None else []
    return {
        "priority": edxml_int(text(element, "Priority"), f"{where}/Priority") or 0,
        "sphere_of_promulgation": text(element, "SphereOfPromulgation"),
        "page_count": edxml_int(text(element, "PageAmount"), f"{where}/PageAmount"),
        "appendix_count": sum(1 for item in listed if (item.text or "").strip()),
    }


def _to_places(element: Element | None) -> list[str]:
    if element is None:
        return []
    return [value for place in children(element, "Place") if (value := (place.text or "").strip())]


def _trace(traces: Element | None) -> dict[str, Any]:
    """Trace headers and the business part; a package without one is a new document."""
    if traces is None:
        return {"business_doc_type": BusinessDocType.NEW}
    where = "TraceHeaderList/TraceHeader"
    trace_headers = [
        {
            "organ_id": required_text(trace, "OrganId", where),
            "at": edxml_instant(required_text(trace, "Timestamp", where), f"{where}/Timestamp"),
        }
        for trace in children(traces, "TraceHeader")
    ]
    business = child(traces, "Bussiness")
    if business is None:
        business = child(traces, "Business")
    if business is None:
        return {"trace_headers": trace_headers, "business_doc_type": BusinessDocType.NEW}
    code = text(business, "BussinessDocType") or text(business, "BusinessDocType")
    kind = edxml_int(code, "TraceHeaderList/Bussiness/BussinessDocType")
    replacements = descendant(business, "ReplacementInfoList")
    replaced = []
    if replacements is not None:
        replaced = [
            value
            for info in children(replacements, "ReplacementInfo")
            if (value := text(info, "DocumentId")) is not None
        ]
    return {
        "trace_headers": trace_headers,
        "business_doc_type": BusinessDocType.NEW
        if kind is None
        else BusinessDocType.from_edxml(kind),
        "business_doc_reason": text(business, "BussinessDocReason")
        or text(business, "BusinessDocReason"),
        "replaced_document_ids": replaced,
    }


def _signature(envelope: Element) -> SignatureInfo | None:
    signature = descendant(envelope, "Signature")
    if signature is None:
        signature = descendant(envelope, "DigitalSignature")
    if signature is None or len(signature) == 0:
        return None
    return SignatureInfo(
        signer_subject=_stripped(descendant(signature, "X509SubjectName")),
        certificate_serial=_stripped(descendant(signature, "X509SerialNumber")),
    )


def _stripped(element: Element | None) -> str | None:
    return None if element is None else ("".join(element.itertext()).strip() or None)
