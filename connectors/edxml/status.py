"""An edXML status packet read into a `DocumentStatus`.

Supported subset, by local element name, under `Status` (or `edXMLStatus`), usually in a SOAP
header: `ResponseFor` (OrganId, Code, PromulgationDate, DocumentId), `From` (as in a
package), `StatusCode` (01..16; a code the schema does not list becomes UNKNOWN),
`Description`, `Timestamp`, `StaffInfo` (Department, Staff, Mobile, Email).
"""

import re
from typing import Any
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from connectors.building import describe_validation
from connectors.edxml.package import organization
from connectors.edxml.values import edxml_date, edxml_instant, edxml_text_date
from connectors.edxml.xml_reading import PARSE, child, required_child, required_text, text
from lienthong.errors import DeadLetterError
from lienthong.events import DocumentStatus, DocumentStatusCode
from lienthong.events.edoc import DOCUMENT_ID_PATTERN

__all__ = ["read_status"]

_WHERE = "Status"
_DOCUMENT_ID = re.compile(DOCUMENT_ID_PATTERN)


def read_status(status: Element) -> DocumentStatus:
    answered = required_child(status, "ResponseFor", _WHERE)
    where = f"{_WHERE}/ResponseFor"
    organ_id = required_text(answered, "OrganId", where)
    code = required_text(answered, "Code", where)
    promulgated = edxml_date(
        required_text(answered, "PromulgationDate", where), f"{where}/PromulgationDate"
    )
    given_id = text(answered, "DocumentId")
    document_id = (
        given_id
        if given_id is not None and _DOCUMENT_ID.match(given_id)
        else f"{organ_id},{edxml_text_date(promulgated)},{code}"
    )
    raw_code = required_text(status, "StatusCode", _WHERE)
    record: dict[str, Any] = {
        "response_for": {
            "organ_id": organ_id,
            "code": code,
            "promulgation_date": promulgated,
            "document_id": document_id,
        },
        "from_organization": organization(required_child(status, "From", _WHERE), f"{_WHERE}/From"),
        "status_code": DocumentStatusCode.from_edxml(raw_code),
        "staff": _staff(child(status, "StaffInfo")),
        "description": text(status, "Description"),
        "status_at": edxml_instant(
            required_text(status, "Timestamp", _WHERE), f"{_WHERE}/Timestamp"
        ),
    }
    try:
        return DocumentStatus.model_validate(record)
    except ValidationError as exc:
        raise DeadLetterError(describe_validation(exc), stage=PARSE) from exc


def _staff(element: Element | None) -> dict[str, Any] | None:
    if element is None:
        return None
    staff = {
        "department": text(element, "Department"),
        "staff_name": text(element, "Staff"),
        "mobile": text(element, "Mobile"),
        "email": text(element, "Email"),
    }
    return staff if any(staff.values()) else None
