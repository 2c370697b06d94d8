"""From an edXML package or status packet to the change the bus publishes.

- A package becomes one `documents` change keyed by the document id
  (`OrganId,yyyy/MM/dd,Number/Notation`, rebuilt from From/OrganId, PromulgationDate and
  Code). Business doc type 0 (new) is a CREATE; 2 (update), 3 (replacement) and 1
  (revocation) are UPDATEs. A revoked document is not deleted: the centre keeps it (it was
  issued, and may be cited), its `business_doc_type` says REVOCATION and
  `business_doc_reason` why; a DELETE would leave a tombstone and lose both.
- A status packet becomes one `document_statuses` change (a CREATE: a status is a fact) keyed
  by the answered document id, so all statuses of a document stay in order.

Versions are the newest trace timestamp (packages; the promulgation date when a package has
no trace) or the status timestamp, in milliseconds: later packages of a document are newer.
Event ids are name-based on what the package says, so the same package gives the same id
however often, and by whichever channel, it arrives.
"""

import uuid
from datetime import UTC, datetime, time, timedelta

from connectors.contract import Change, Domain, Rejected
from connectors.edxml.attachments import AttachmentStore, EmbeddedAttachment
from connectors.edxml.package import ParsedPackage, read_package
from connectors.edxml.status import read_status
from connectors.edxml.values import VIETNAM_TIME
from connectors.edxml.xml_reading import (
    MAX_PACKAGE_BYTES,
    PARSE,
    child,
    descendant,
    descendants,
    parse_xml,
)
from lienthong.errors import DeadLetterError
from lienthong.events import (
    AttachmentRef,
    BusinessDocType,
    Document,
    DocumentStatus,
    Operation,
)

__all__ = ["EDXML_EVENTS", "changes_from_edxml", "parse_edxml"]

EDXML_EVENTS = uuid.UUID("5d0e8f4a-3b1c-5e27-9a64-0c7b2d9e1f38")
"""Namespace of the name-based event ids of edXML changes."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_edxml(
    data: bytes, *, max_bytes: int = MAX_PACKAGE_BYTES
) -> ParsedPackage | DocumentStatus:
    """A package or a status packet, read safely; DeadLetterError (stage PARSE) says what is
    wrong with anything else. No I/O."""
    root = parse_xml(data, max_bytes=max_bytes)
    envelope = descendant(root, "edXMLEnvelope")
    if envelope is not None:
        return read_package(root, envelope)
    status = descendant(root, "edXMLStatus") or next(
        (
            element
            for element in descendants(root, "Status")
            if child(element, "ResponseFor") is not None
        ),
        None,
    )
    if status is not None:
        return read_status(status)
    raise DeadLetterError(
        "neither an edXML package (edXMLEnvelope) nor a status packet (Status/ResponseFor)",
        stage=PARSE,
    )


def changes_from_edxml(
    data: bytes,
    *,
    received_as: str,
    attachments: AttachmentStore | None = None,
    max_bytes: int = MAX_PACKAGE_BYTES,
) -> list[Change | Rejected]:
    """The changes one edXML input makes: one per package or status packet.

    `received_as` names where it came from (a file name, a request id) in the events'
    `source_position`. With an attachment `store`, embedded files are written there and
    referenced by `file:` URI; without one they are referenced as `cid:` parts of the
    package, which the caller keeps. Raises DeadLetterError (stage PARSE) for broken XML,
    refused constructs (DTDs, entities, oversize) and missing required elements.
    """
    parsed = parse_edxml(data, max_bytes=max_bytes)
    if isinstance(parsed, DocumentStatus):
        return [_status_change(parsed, received_as)]
    return [_document_change(parsed, received_as, attachments)]


def _document_change(
    parsed: ParsedPackage, received_as: str, store: AttachmentStore | None
) -> Change:
    refs = tuple(_claim_check(attachment, store) for attachment in parsed.attachments)
    document: Document = parsed.document.model_copy(update={"attachments": refs})
    if document.trace_headers:
        occurred_at = max(trace.at for trace in document.trace_headers)
    else:
        occurred_at = datetime.combine(
            document.promulgation.promulgation_date, time(), VIETNAM_TIME
        )
    version = _millis(occurred_at)
    kind = document.business_doc_type
    key = document.document_id
    return Change(
        domain=Domain.DOCUMENTS,
        key=key,
        operation=Operation.CREATE if kind is BusinessDocType.NEW else Operation.UPDATE,
        version=version,
        occurred_at=occurred_at,
        after=document.model_dump(mode="json"),
        event_id=uuid.uuid5(EDXML_EVENTS, f"document/{key}/{version}/{kind.value}"),
        source_position=received_as,
    )


def _status_change(status: DocumentStatus, received_as: str) -> Change:
    key = status.response_for.document_id
    version = _millis(status.status_at)
    name = f"status/{key}/{status.from_organization.organ_id}/{status.status_code.value}/{version}"
    return Change(
        domain=Domain.DOCUMENT_STATUSES,
        key=key,
        operation=Operation.CREATE,
        version=version,
        occurred_at=status.status_at,
        after=status.model_dump(mode="json"),
        event_id=uuid.uuid5(EDXML_EVENTS, name),
        source_position=received_as,
    )


def _claim_check(attachment: EmbeddedAttachment, store: AttachmentStore | None) -> AttachmentRef:
    uri = store.put(attachment) if store is not None else f"cid:{attachment.content_id}"
    return AttachmentRef(
        name=attachment.name,
        content_type=attachment.content_type,
        size_bytes=len(attachment.content),
        sha256=attachment.sha256,
        uri=uri,
    )


def _millis(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(milliseconds=1)
