"""One file of the watched folder read into source items: its changes, or one reject."""

import hashlib
from pathlib import Path

from connectors.contract import Domain, Rejected, SourceItem
from connectors.edxml.attachments import AttachmentStore
from connectors.edxml.changes import changes_from_edxml
from connectors.edxml.folder_files import FolderFile
from lienthong.errors import DeadLetterError

__all__ = ["DEAD_LETTER_MAX_BYTES", "READ", "item_for_file"]

READ = "READ"
"""The dead-letter stage of a file that could not be read at all."""

DEAD_LETTER_MAX_BYTES = 256 * 1024
"""Larger rejected files are described on the dead-letter topic, not copied: Kafka's records
are limited (1 MiB by default) and the file itself is kept in the failed folder."""


def item_for_file(
    path: Path,
    file: FolderFile,
    *,
    domain: Domain,
    store: AttachmentStore | None,
    max_bytes: int,
) -> list[SourceItem]:
    """The items of the file at `path` (listed as `file`); none when it has gone meanwhile.

    Reads and parses (blocking I/O and CPU): call it from a worker thread."""
    if file.size > max_bytes:
        reason = f"{file.name} has {file.size} bytes, more than the {max_bytes} allowed"
        return [_rejected(file, domain, DeadLetterError(reason, stage=READ), b"")]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        error = DeadLetterError(f"cannot read {file.name}: {exc.strerror}", stage=READ)
        return [_rejected(file, domain, error, b"")]
    try:
        return list(
            changes_from_edxml(data, received_as=file.name, attachments=store, max_bytes=max_bytes)
        )
    except DeadLetterError as error:
        return [_rejected(file, domain, error, data)]


def _rejected(file: FolderFile, domain: Domain, error: DeadLetterError, data: bytes) -> Rejected:
    return Rejected(
        domain=domain,
        reason=f"{file.name}: {error.reason}",
        stage=error.stage,
        original=data if 0 < len(data) <= DEAD_LETTER_MAX_BYTES else _described(file, data),
        source_position=file.name,
    )


def _described(file: FolderFile, data: bytes) -> bytes:
    digest = f", sha256 {hashlib.sha256(data).hexdigest()}" if data else ""
    note = (
        f"edxml file {file.name} ({file.size} bytes{digest}) is kept in the connector's "
        "failed folder; it is not copied here"
    )
    return note.encode("utf-8")
