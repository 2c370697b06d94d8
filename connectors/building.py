"""From a source item to the Kafka records of one transaction: the event (and its tombstone),
or one dead letter saying why. Pure: no I/O, no clock.

An event of an agency whose key the connector holds is signed (lienthong.trust.signing): the
key id goes in the envelope, so it is signed too, and the signature in a header. Tombstones
are not signed: the centre applies nothing from them.
"""

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from connectors.contract import Change, Domain, Rejected, SourceItem
from connectors.dead_letter import dead_letter_headers
from connectors.headers import (
    CONNECTOR_HEADER,
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    SIGNATURE_KEY_HEADER,
    SOURCE_POSITION_HEADER,
)
from connectors.publisher import OutgoingRecord
from connectors.spec import ConnectorSpec, TextEncoding
from connectors.text import clean_strings, text_cleaner
from lienthong.codec import SCHEMA_HEADER, RecordEncoder
from lienthong.errors import DeadLetterError, SchemaError
from lienthong.events import ChangeEvent, Operation
from lienthong.ids import TopicName
from lienthong.settings import TopicSettings, TrustSettings
from lienthong.trust import AgencySigners, EventSigner, load_signers

__all__ = [
    "CONNECTOR_EVENTS",
    "ENCODE",
    "SIGN",
    "VALIDATE",
    "EventBuilder",
    "ItemRecords",
    "connector_signers",
    "describe_validation",
    "stable_event_id",
]

VALIDATE, ENCODE, SIGN = "VALIDATE", "ENCODE", "SIGN"

CONNECTOR_EVENTS = uuid.UUID("0b6c1d4e-92f3-5a7b-8e0d-3c4f5a6b7c8d")
"""Namespace of the name-based ids given to changes whose source has no event id."""


def stable_event_id(spec: ConnectorSpec, change: Change) -> uuid.UUID:
    """The same change read twice gets the same id: agency, system, domain, key and version."""
    name = (
        f"{change.agency or spec.agency}/{spec.system}/{change.domain}/{change.key}/"
        f"{change.version}/{change.operation}"
    )
    return uuid.uuid5(CONNECTOR_EVENTS, name)


def connector_signers(spec: ConnectorSpec, trust: TrustSettings) -> AgencySigners:
    """The keys the connector signs with: its spec's, or else the process's setting."""
    own = spec.signing_key if spec.signing_key is not None else trust.signing_key_file
    return load_signers(spec.agency, own, spec.signing_keys)


@dataclass(frozen=True, slots=True)
class ItemRecords:
    records: tuple[OutgoingRecord, ...]
    event_id: uuid.UUID | None = None
    """Set when the item became an event; None for a dead letter."""
    tombstones: int = 0
    dead_letter: DeadLetterError | None = None


class EventBuilder:
    """Turns a connector's items into records, with one encoder per domain it writes."""

    def __init__(
        self,
        spec: ConnectorSpec,
        topics: TopicSettings,
        encoders: Mapping[Domain, RecordEncoder],
        signers: AgencySigners | None = None,
    ) -> None:
        """`signers` defaults to the keys the spec names (ConfigurationError when one cannot
        be read)."""
        self.spec = spec
        if signers is None:
            signers = load_signers(spec.agency, spec.signing_key, spec.signing_keys)
        self._signers = signers
        self._topics = topics
        self._encoders = encoders
        self._clean = text_cleaner(spec.text_encoding)
        self._converts = spec.text_encoding is not TextEncoding.UNICODE

    def topic(self, domain: Domain) -> TopicName:
        return domain.topic(self._topics)

    def event(self, change: Change, ingested_at: datetime) -> ChangeEvent:
        """The validated change event; DeadLetterError says what is wrong with the change."""
        if change.domain not in self._encoders:
            raise DeadLetterError(
                f"connector {self.spec.name} does not write {change.domain}", stage=VALIDATE
            )
        model = change.domain.model
        try:
            # The models normalise every entity string to NFC: only legacy text needs a walk.
            return model.model_validate(self._document(change, ingested_at, self._converts))
        except ValidationError as exc:
            if self._converts:
                raise DeadLetterError(describe_validation(exc), stage=VALIDATE) from exc
        try:
            # A string NFC changes where the model takes no text (an enum symbol spelt with a
            # compatibility letter) is valid once normalised, as the walk always made it.
            return model.model_validate(self._document(change, ingested_at, walk=True))
        except ValidationError as exc:
            raise DeadLetterError(describe_validation(exc), stage=VALIDATE) from exc

    def records(self, item: SourceItem, ingested_at: datetime) -> ItemRecords:
        if isinstance(item, Rejected):
            error = DeadLetterError(item.reason, stage=item.stage)
            return ItemRecords((self._dead_letter(item, error),), dead_letter=error)
        try:
            event = self.event(item, ingested_at)
            try:
                value = self._encoders[item.domain].encode(event.to_avro())
            except SchemaError as exc:
                raise DeadLetterError(str(exc), stage=ENCODE) from exc
        except DeadLetterError as error:
            return ItemRecords((self._dead_letter(item, error),), dead_letter=error)
        envelope = event.envelope
        key = envelope.entity_key.encode("utf-8")
        topic = self.topic(item.domain)
        position = _position_headers(item.source_position)
        headers = (
            (SCHEMA_HEADER, item.domain.record_name.encode("ascii")),
            (EVENT_ID_HEADER, str(envelope.event_id).encode("ascii")),
            *position,
            *self._signature_headers(item, topic, key, value),
        )
        record = OutgoingRecord(topic, key, value, headers)
        if envelope.operation is not Operation.DELETE:
            return ItemRecords((record,), event_id=envelope.event_id)
        # The tombstone lets log compaction drop the entity's history once consumers saw it.
        tombstone = OutgoingRecord(topic, key, None, position)
        return ItemRecords((record, tombstone), event_id=envelope.event_id, tombstones=1)

    def _signer(self, change: Change) -> EventSigner | None:
        """The key the change's event is signed with; None when the connector signs nothing."""
        if not self._signers.signs:
            return None
        agency = change.agency or self.spec.agency
        signer = self._signers.for_agency(agency)
        if signer is None:
            reason = f"connector {self.spec.name} holds no signing key for agency {agency}"
            raise DeadLetterError(reason, stage=SIGN)
        return signer

    def _signature_headers(
        self, item: Change, topic: TopicName, key: bytes, value: bytes
    ) -> tuple[tuple[str, bytes], ...]:
        signer = self._signer(item)
        if signer is None:
            return ()
        signature = signer.sign(topic, key, value)
        return ((SIGNATURE_HEADER, signature), (SIGNATURE_KEY_HEADER, signer.key_id.encode()))

    def _document(self, change: Change, ingested_at: datetime, walk: bool) -> dict[str, Any]:
        """The event as the model takes it; `walk` cleans every string of the entities too."""
        spec, clean = self.spec, self._clean
        event_id = change.event_id or stable_event_id(spec, change)
        envelope = {
            "event_id": event_id,
            "source_agency": change.agency or spec.agency,
            "source_system": spec.system,
            "operation": change.operation,
            "occurred_at": change.occurred_at,
            "ingested_at": ingested_at,
            "entity_key": clean(change.key),
            "entity_version": change.version,
            "admin_unit_code": change.admin_unit_code,
            "admin_code_list": change.admin_code_list or spec.code_list,
            "correlation_id": change.correlation_id,
            "causation_id": change.causation_id,
            "source_position": change.source_position,
            # The signature itself stays out of the envelope (`signature` is null): it cannot
            # sit inside the bytes it signs, so it travels in SIGNATURE_HEADER.
            "signature_key_id": self._key_id(change),
        }
        after, before = change.after, change.before
        if walk:
            after, before = _cleaned(after, clean), _cleaned(before, clean)
        if change.domain is Domain.DOCUMENT_STATUSES:
            return {"envelope": envelope, "status": after}
        return {"envelope": envelope, "before": before, "after": after}

    def _key_id(self, change: Change) -> str | None:
        signer = self._signer(change)
        return None if signer is None else signer.key_id

    def _dead_letter(self, item: SourceItem, error: DeadLetterError) -> OutgoingRecord:
        topic = self.topic(item.domain)
        extra: list[tuple[str, str]] = [(CONNECTOR_HEADER, self.spec.name)]
        if item.source_position is not None:
            extra.append((SOURCE_POSITION_HEADER, item.source_position))
        headers = dead_letter_headers(
            error, target_topic=topic, connector=self.spec.name, extra=tuple(extra)
        )
        key = item.key.encode("utf-8") if item.key else None
        original = item.original if isinstance(item, Rejected) else _as_json(item)
        return OutgoingRecord(self._topics.dead_letter(topic), key, original, headers)

    def identity(self, item: SourceItem) -> dict[str, str | None]:
        """The ids a log line about `item` carries: its event's id and correlation id (none for
        an input the source could not read at all)."""
        if not isinstance(item, Change):
            return {"event_id": None, "correlation_id": None}
        event_id = str(item.event_id or stable_event_id(self.spec, item))
        return {"event_id": event_id, "correlation_id": item.correlation_id}


def describe_validation(error: ValidationError, limit: int = 5) -> str:
    """The first few problems as `field.path: message`, readable in a dead-letter header."""
    problems = []
    for problem in error.errors()[:limit]:
        where = ".".join(str(part) for part in problem["loc"]) or "(record)"
        problems.append(f"{where}: {problem['msg']}")
    more = error.error_count() - limit
    if more > 0:
        problems.append(f"and {more} more")
    return "; ".join(problems)


def _position_headers(source_position: str | None) -> tuple[tuple[str, bytes], ...]:
    if source_position is None:
        return ()
    return ((SOURCE_POSITION_HEADER, source_position.encode("utf-8")),)


def _cleaned(entity: Mapping[str, Any] | None, clean: Callable[[str], str]) -> Any:
    return None if entity is None else clean_strings(entity, clean)


def _as_json(change: Change) -> bytes:
    """The change as the source gave it, for the dead-letter topic."""
    document = {
        "domain": change.domain.value,
        "key": change.key,
        "operation": change.operation.value,
        "version": change.version,
        "occurred_at": change.occurred_at.isoformat(),
        "before": change.before,
        "after": change.after,
        "source_position": change.source_position,
    }
    return json.dumps(document, ensure_ascii=False, default=str).encode("utf-8")
