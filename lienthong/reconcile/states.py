"""The comparable state of one dossier on either side: its key, version and content checksum.

Both sides are brought to the bus's `Dossier` before hashing: a source row goes through the
connector's own mapping (exactly what the connector would publish), a centre row back through
the centre's reader. Equal content then means equal checksums, whatever each side's storage.
The centre keeps personal fields as its privacy policy says (hashed, masked, dropped), so the
source's dossier is checksummed as the policy would store it: a policy is never drift. The
dossier kept for a repair is the source's own, in clear, as the connector publishes it.
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
from lienthong.privacy import DataProtection, describe_problems, redact_text
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


def source_state(
    row: Mapping[Any, Any], source: SourceIdentity, protection: DataProtection | None = None
) -> KeyState:
    """A row of the department's `dossiers` table, as the connector would publish it now;
    checksummed as the centre would store it under `protection` (as published when None)."""
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
        change = to_dossier_change(as_published, source, _NO_TIME)
        stored = change if protection is None else protection.protect(change)
    except DeadLetterError as exc:
        return KeyState(key, version, None, problem=exc.reason)
    except (ValueError, TypeError, KeyError) as exc:
        return KeyState(key, version, None, problem=f"unreadable row: {_described(exc)}")
    if change.after is None or stored.after is None:  # a snapshot always carries its dossier
        return KeyState(key, version, None, problem="no dossier in the mapped event")
    return KeyState(key, version, dossier_checksum(stored.after), dossier=change.after)


def centre_state(row: Mapping[Any, Any]) -> KeyState:
    """A row of the centre's `dossiers` table, read back as the `Dossier` it stores."""
    key, version = str(row["dossier_no"]), int(row["entity_version"])
    try:
        dossier = dossier_from_row(row)
    except (ValidationError, ValueError, TypeError, KeyError) as exc:
        return KeyState(key, version, None, problem=f"unreadable row: {_described(exc)}")
    return KeyState(key, version, dossier_checksum(dossier), dossier=dossier)


def _described(error: Exception) -> str:
    """The problem without the values that caused it: they may be personal data."""
    if isinstance(error, ValidationError):
        return describe_problems(error)
    return redact_text(str(error))
