"""The source contract: what a connector kind declares and the one method it implements.

A kind reads its department system and yields `Change`s (or `Rejected` inputs it could not
read at all) with the position to resume after. The framework (`connectors.runner`) does the
rest: text normalisation, validation against the domain's schema, Avro encoding, dead
letters, Kafka transactions that carry the position, stop and resume, and the counters.
"""

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from connectors.spec import ConnectorSpec
from lienthong.events import (
    AdminCodeList,
    ChangeEvent,
    DocumentChange,
    DocumentStatusChange,
    DossierChange,
    LandParcelChange,
    Operation,
)
from lienthong.ids import ConnectorName, TopicName
from lienthong.settings import Settings, TopicSettings
from schemas import DOCUMENT_CHANGE, DOCUMENT_STATUS_CHANGE, DOSSIER_CHANGE, LAND_PARCEL_CHANGE

__all__ = [
    "Change",
    "Domain",
    "NoOptions",
    "Receipt",
    "Rejected",
    "Source",
    "SourceItem",
]


class Domain(StrEnum):
    """The kinds of entity the bus carries, one topic and one change record each."""

    DOSSIERS = "dossiers"
    LAND_PARCELS = "land_parcels"
    DOCUMENTS = "documents"
    DOCUMENT_STATUSES = "document_statuses"

    @property
    def record_name(self) -> str:
        """The full Avro name of the domain's change record (schemas/*.avsc)."""
        return _RECORDS[self][0]

    @property
    def model(self) -> type[ChangeEvent]:
        return _RECORDS[self][1]

    def topic(self, topics: TopicSettings) -> TopicName:
        name: TopicName = getattr(topics, self.value)
        return name


_RECORDS: dict[Domain, tuple[str, type[ChangeEvent]]] = {
    Domain.DOSSIERS: (DOSSIER_CHANGE, DossierChange),
    Domain.LAND_PARCELS: (LAND_PARCEL_CHANGE, LandParcelChange),
    Domain.DOCUMENTS: (DOCUMENT_CHANGE, DocumentChange),
    Domain.DOCUMENT_STATUSES: (DOCUMENT_STATUS_CHANGE, DocumentStatusChange),
}


class Receipt:
    """Told the outcome of one item once its Kafka transaction has ended.

    Push sources (the HTTP API) wait on it to answer their caller only after Kafka has
    acknowledged; pull sources leave it out.
    """

    def __init__(self) -> None:
        self._done: asyncio.Future[UUID | None] = asyncio.get_running_loop().create_future()

    def published(self, event_id: UUID) -> None:
        if not self._done.done():
            self._done.set_result(event_id)

    def dead_lettered(self) -> None:
        """The item went to the dead-letter topic: committed, but as a dead letter."""
        if not self._done.done():
            self._done.set_result(None)

    def failed(self, error: BaseException) -> None:
        if not self._done.done():
            self._done.set_exception(error)

    async def wait(self) -> UUID | None:
        """The event id once published; None when dead-lettered; raises when not committed."""
        return await asyncio.shield(self._done)


@dataclass(frozen=True, slots=True)
class Change:
    """One change read from a source, in the domain's JSON shape, not validated yet.

    `after` (and `before`) are the entity as the domain's record has it: a dossier, a land
    parcel, a document, or for statuses the status itself (`after` only).
    """

    domain: Domain
    key: str
    operation: Operation
    version: int
    occurred_at: datetime
    after: Mapping[str, Any] | None
    before: Mapping[str, Any] | None = None
    position: str | None = None
    """Where to resume after this item; None when it is not a safe point to resume from."""
    event_id: UUID | None = None
    """The source's own event id; None derives a stable one from the key and version."""
    admin_unit_code: str | None = None
    admin_code_list: AdminCodeList | None = None
    """The code list this change's administrative-unit codes follow, when the source says;
    None: the connector's declared `code_list`."""
    correlation_id: str | None = None
    causation_id: str | None = None
    source_position: str | None = None
    """A human-readable place in the source (row id, LSN, file name), for headers and logs."""
    agency: str | None = None
    """The sending agency when it is not the connector's own (push API callers)."""
    receipt: Receipt | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input the source could not turn into a change: it goes to the dead-letter topic."""

    domain: Domain
    reason: str
    stage: str
    original: bytes
    """The input as the source had it, so an operator can see and fix it."""
    key: str | None = None
    position: str | None = None
    source_position: str | None = None
    receipt: Receipt | None = field(default=None, compare=False)


SourceItem = Change | Rejected


class NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(ABC):
    """One connector kind. Subclasses set `kind` and `Options` and implement `read`.

    The docstring of each kind states its delivery guarantee.
    """

    kind: ClassVar[str]
    """The `kind:` that selects this class in connectors.yaml."""
    Options: ClassVar[type[BaseModel]] = NoOptions
    """The kind's own settings, the `options:` mapping of its YAML entry."""

    def __init__(self, spec: ConnectorSpec, settings: Settings) -> None:
        self.spec = spec
        self.settings = settings
        self.options: Any = self.Options.model_validate(spec.options)

    @property
    def name(self) -> ConnectorName:
        return self.spec.name

    @property
    def domains(self) -> tuple[Domain, ...]:
        """The domains this connector may write; their schemas are registered at start."""
        return tuple(Domain(domain) for domain in self.spec.domains)

    @abstractmethod
    def read(self, after: str | None, stop: asyncio.Event) -> AsyncIterator[SourceItem]:
        """Yield the changes after position `after` (None: from the beginning), in source
        order, waiting for new ones, until `stop` is set. Items of one key keep their order."""

    async def prepare(self) -> None:
        """Check the source is reachable and set up (tables, slots, folders) before reading."""
        return None

    async def close(self) -> None:
        """Release what `prepare` or `read` opened."""
        return None
