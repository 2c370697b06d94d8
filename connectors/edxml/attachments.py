"""Attachments of an edXML package, turned into claim checks: a hash and a reference.

A package lists its files in the manifest (`edXMLBody/edXMLManifest/Reference`) and carries
their bytes base64-encoded in `AttachmentEncoded/Attachment`, matched by `ContentId`. The
bytes are hashed (SHA-256) and, when a store is configured, written to it; Kafka only ever
sees the name, type, size, hash and URI.
"""

import binascii
import hashlib
import os
import tempfile
from base64 import b64decode
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from connectors.edxml.xml_reading import PARSE, descendant, descendants, text
from lienthong.errors import DeadLetterError, RetriableError

__all__ = ["AttachmentStore", "EmbeddedAttachment", "embedded_attachments"]

_UNKNOWN_TYPE = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class EmbeddedAttachment:
    content_id: str
    name: str
    content_type: str
    content: bytes
    sha256: str


@dataclass(frozen=True, slots=True)
class _Listed:
    name: str | None
    content_type: str | None


def embedded_attachments(root: Element) -> tuple[EmbeddedAttachment, ...]:
    """The package's files, in the order it carries them; DeadLetterError when one listed in
    the manifest is missing or its base64 is broken."""
    listed: dict[str, _Listed] = {}
    manifest = descendant(root, "edXMLManifest")
    for reference in descendants(manifest, "Reference") if manifest is not None else ():
        content_id = _content_id(text(reference, "ContentId") or _href(reference))
        if content_id:
            listed[content_id] = _Listed(
                text(reference, "AttachmentName"), text(reference, "ContentType")
            )
    found: list[EmbeddedAttachment] = []
    for number, attachment in enumerate(descendants(root, "Attachment"), start=1):
        content_id = _content_id(text(attachment, "ContentId")) or f"attachment-{number}"
        entry = listed.pop(content_id, _Listed(None, None))
        name = text(attachment, "AttachmentName") or entry.name or content_id
        content = _decoded(attachment, name)
        found.append(
            EmbeddedAttachment(
                content_id=content_id,
                name=name,
                content_type=text(attachment, "ContentType") or entry.content_type or _UNKNOWN_TYPE,
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
            )
        )
    if listed:
        missing = ", ".join(entry.name or cid for cid, entry in listed.items())
        raise DeadLetterError(
            f"the manifest lists attachments whose bytes the package lacks: {missing}", stage=PARSE
        )
    return tuple(found)


class AttachmentStore:
    """A folder holding attachment bytes by hash (`ab/abcdef…`): storing twice is harmless.

    Files are written under a temporary name and renamed, so a reader never sees half a file.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, attachment: EmbeddedAttachment) -> str:
        """Store the bytes (unless already there); the `file:` URI to fetch them from.

        RetriableError when the folder cannot be written (full, unmounted): retry later."""
        target = self.root / attachment.sha256[:2] / attachment.sha256
        try:
            self._write(target, attachment.content)
        except OSError as exc:
            raise RetriableError(f"cannot store attachment in {self.root}: {exc}") from exc
        return target.resolve().as_uri()

    @staticmethod
    def _write(target: Path, content: bytes) -> None:
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(content)
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise


def _decoded(attachment: Element, name: str) -> bytes:
    encoded = text(attachment, "ContentTransferEncoded")
    if encoded is None:
        raise DeadLetterError(f"attachment {name!r} has no ContentTransferEncoded", stage=PARSE)
    try:
        return b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DeadLetterError(
            f"attachment {name!r} is not valid base64: {exc}", stage=PARSE
        ) from exc


def _content_id(value: str | None) -> str:
    """`cid:abc`, `<abc>` and `abc` all name the same part."""
    if not value:
        return ""
    value = value.strip()
    if value.lower().startswith("cid:"):
        value = value[4:]
    return value.strip("<>")


def _href(reference: Element) -> str | None:
    return next((value for key, value in reference.attrib.items() if key.endswith("href")), None)
