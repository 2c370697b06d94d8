"""Writing edXML: a `Document` as a package, a `DocumentStatus` as a status packet.

The simulator and the tests speak edXML through these, so what they write is what the parser
reads. Times are written as QCVN 102 does, `yyyy/MM/dd HH:mm:ss` in Vietnam time.
"""

from base64 import b64encode
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from connectors.edxml.values import VIETNAM_TIME, edxml_text_date
from lienthong.events import BusinessDocType, Document, DocumentStatus, Organization

__all__ = ["EDXML_NAMESPACE", "AttachmentFile", "package_xml", "status_xml"]

EDXML_NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
_SOAP_NAMESPACE = "http://schemas.xmlsoap.org/soap/envelope/"
_BUSINESS_CODES = {
    BusinessDocType.NEW: "0",
    BusinessDocType.REVOCATION: "1",
    BusinessDocType.UPDATE: "2",
    BusinessDocType.REPLACEMENT: "3",
}

register_namespace("edXML", EDXML_NAMESPACE)
register_namespace("SOAP-ENV", _SOAP_NAMESPACE)


@dataclass(frozen=True, slots=True)
class AttachmentFile:
    name: str
    content_type: str
    content: bytes


def package_xml(document: Document, attachments: Sequence[AttachmentFile] = ()) -> bytes:
    """`document` as an edXML package carrying `attachments` (its own are not written)."""
    root = Element(_tag("edXML"))
    envelope = SubElement(root, _tag("edXMLEnvelope"))
    header = SubElement(envelope, _tag("edXMLHeader"))
    message = SubElement(header, _tag("MessageHeader"))
    _organization(message, "From", document.from_organization)
    for receiver in document.to_organizations:
        _organization(message, "To", receiver)
    _fields(message, "Code", CodeNumber=document.code.number, CodeNotation=document.code.notation)
    promulgation = document.promulgation
    _fields(
        message,
        "PromulgationInfo",
        Place=promulgation.place,
        PromulgationDate=edxml_text_date(promulgation.promulgation_date),
    )
    kind = document.document_type
    _fields(
        message,
        "DocumentType",
        Type=kind.type,
        TypeDetail=kind.type_detail,
        TypeName=kind.type_name,
    )
    _text(message, "Subject", document.subject)
    _text(message, "Content", document.content)
    signer = document.signer
    _fields(
        message,
        "SignerInfo",
        Competence=signer.competence,
        Position=signer.position,
        FullName=signer.full_name,
    )
    _text(message, "DueDate", edxml_text_date(document.due_date) if document.due_date else None)
    places = SubElement(message, _tag("ToPlaces"))
    for place in document.to_places:
        _text(places, "Place", place)
    other = document.other_info
    info = _fields(
        message,
        "OtherInfo",
        Priority=other.priority,
        SphereOfPromulgation=other.sphere_of_promulgation,
        PageAmount=other.page_count,
    )
    appendixes = SubElement(info, _tag("Appendixes"))
    for number in range(1, other.appendix_count + 1):
        _text(appendixes, "Appendix", f"Phụ lục {number}")
    _text(message, "SteeringType", document.steering_type)
    _text(message, "DocumentId", document.document_id)
    _trace_list(header, document)
    manifest = SubElement(SubElement(envelope, _tag("edXMLBody")), _tag("edXMLManifest"))
    manifest.set("version", "1.0")
    encoded = SubElement(root, _tag("AttachmentEncoded")) if attachments else None
    for number, attachment in enumerate(attachments, start=1):
        content_id = f"attachment-{number}"
        _fields(
            manifest,
            "Reference",
            ContentId=f"cid:{content_id}",
            AttachmentName=attachment.name,
            ContentType=attachment.content_type,
        )
        if encoded is not None:
            _fields(
                encoded,
                "Attachment",
                ContentId=content_id,
                AttachmentName=attachment.name,
                ContentType=attachment.content_type,
                ContentTransferEncoded=b64encode(attachment.content).decode("ascii"),
            )
    return _serialised(root)


def status_xml(status: DocumentStatus) -> bytes:
    """`status` as an edXML status packet in a SOAP header."""
    root = Element(f"{{{_SOAP_NAMESPACE}}}Envelope")
    packet = SubElement(SubElement(root, f"{{{_SOAP_NAMESPACE}}}Header"), _tag("Status"))
    answered = status.response_for
    _fields(
        packet,
        "ResponseFor",
        OrganId=answered.organ_id,
        Code=answered.code,
        PromulgationDate=edxml_text_date(answered.promulgation_date),
        DocumentId=answered.document_id,
    )
    _organization(packet, "From", status.from_organization)
    _text(packet, "StatusCode", status.status_code.edxml_code)
    _text(packet, "Description", status.description)
    _text(packet, "Timestamp", _instant(status.status_at))
    if status.staff is not None:
        staff = status.staff
        _fields(
            packet,
            "StaffInfo",
            Department=staff.department,
            Staff=staff.staff_name,
            Mobile=staff.mobile,
            Email=staff.email,
        )
    SubElement(root, f"{{{_SOAP_NAMESPACE}}}Body")
    return _serialised(root)


def _trace_list(header: Element, document: Document) -> None:
    traces = SubElement(header, _tag("TraceHeaderList"))
    for trace in document.trace_headers:
        _fields(traces, "TraceHeader", OrganId=trace.organ_id, Timestamp=_instant(trace.at))
    business = _fields(
        traces,
        "Bussiness",
        BussinessDocType=_BUSINESS_CODES.get(document.business_doc_type, "0"),
        BussinessDocReason=document.business_doc_reason,
    )
    if document.replaced_document_ids:
        replaced = SubElement(business, _tag("ReplacementInfoList"))
        for document_id in document.replaced_document_ids:
            _fields(replaced, "ReplacementInfo", DocumentId=document_id)


def _organization(parent: Element, name: str, organization: Organization) -> None:
    _fields(
        parent,
        name,
        OrganId=organization.organ_id,
        OrganName=organization.name,
        OrganAdd=organization.address,
        Email=organization.email,
        Telephone=organization.telephone,
        Fax=organization.fax,
        Website=organization.website,
    )


def _fields(parent: Element, name: str, **values: object) -> Element:
    element = SubElement(parent, _tag(name))
    for field, value in values.items():
        _text(element, field, value)
    return element


def _text(parent: Element, name: str, value: object) -> None:
    if value is not None:
        SubElement(parent, _tag(name)).text = str(value)


def _instant(moment: datetime) -> str:
    return moment.astimezone(VIETNAM_TIME).strftime("%Y/%m/%d %H:%M:%S")


def _serialised(root: Element) -> bytes:
    data: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def _tag(name: str) -> str:
    return f"{{{EDXML_NAMESPACE}}}{name}"
