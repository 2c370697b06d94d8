"""The comparable state of one dossier on either side: its key, version and content checksum.

Both sides are brought to the bus's `Dossier` before hashing: a source row goes through the
connector's own mapping (exactly what the connector would publish), a centre row back through
the centre's reader. Equal content then means equal checksums, whatever each side's storage.
Pure: no I/O.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from connectors.motcua.department import DeptDossier, OutboxEventType
from connectors.motcua.mapping import SourceIdentity, to_dossier_change
from connectors.motcua.outbox_reader import OutboxRow
from lienthong.errors import DeadLetterError
from lienthong.events import Dossier
from streams.centre.rows import dossier_from_row

__all__ = ["KeyState", "centre_state", "dossier_checksum", "source_state"]

_NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)
"""Envelope times the comparison never looks at."""


@dataclass(frozen=True, slots=True)
class KeyState:
    """One dossier as one side holds it."""

    key: str
    version: int
    checksum: str | None
    """SHA-256 of the dossier's canonical JSON; None when the row cannot become a `Dossier`."""
    problem: str | None = None
    """Why there is no checksum."""
    dossier: Dossier | None = field(default=None, compare=False, repr=False)
    """The dossier itself, kept for a repair that has to re-publish it."""


def dossier_checksum(dossier: Dossier) -> str:
    """SHA-256 of the dossier as canonical JSON: sorted keys, no spaces, UTC instants."""
    document = dossier.model_dump(mode="json")
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def source_state(row: Mapping[Any, Any], source: SourceIdentity) -> KeyState:
    """A row of the department's `dossiers` table, as the connector would publish it now."""
    key, version = str(row["dossier_no"]), int(row["version"])
    try:
        dept = DeptDossier.from_row(row)
        as_published = OutboxRow(
            id=0,
            aggregate_type="dossier",
            aggregate_id=dept.dossier_no,
            event_type=OutboxEventType.SNAPSHOT.value,
            payload=dept.to_payload(),
            occurred_at=_NO_TIME,
        )
        dossier = to_dossier_change(as_published, source, _NO_TIME).after
    except DeadLetterError as exc:
        return KeyState(key, version, None, problem=exc.reason)
    except (ValueError, TypeError, KeyError) as exc:
        return KeyState(key, version, None, problem=f"unreadable row: {exc}")
    if dossier is None:  # a snapshot always carries its dossier; kept for the type checker
        return KeyState(key, version, None, problem="no dossier in the mapped event")
    return KeyState(key, version, dossier_checksum(dossier), dossier=dossier)


def centre_state(row: Mapping[Any, Any]) -> KeyState:
    """A row of the centre's `dossiers` table, read back as the `Dossier` it stores."""
    key, version = str(row["dossier_no"]), int(row["entity_version"])
    try:
        dossier = dossier_from_row(row)
    except (ValidationError, ValueError, TypeError, KeyError) as exc:
        return KeyState(key, version, None, problem=f"unreadable row: {exc}")
    return KeyState(key, version, dossier_checksum(dossier), dossier=dossier)
