"""A change is checked in the request, with the code the runner publishes it with.

`EventBuilder.event` builds and validates the change event, then the event is encoded with the
domain's Avro schema (an in-memory registry stands in for the real one: the schema is the
same `.avsc`). What passes here cannot become a dead letter later, so callers hear about a bad
change as a 422 naming its fields instead of finding it on the dead-letter topic.
"""

from collections.abc import Sequence
from datetime import datetime

from pydantic import ValidationError

from connectors.building import EventBuilder
from connectors.contract import Change, Domain
from connectors.http.problems import FieldError
from connectors.http.requests import field_path
from connectors.spec import ConnectorSpec
from lienthong.errors import DeadLetterError
from lienthong.serde import AvroSerializer, InMemoryRegistry, RecordMismatchError, repo_schema
from lienthong.settings import TopicSettings

__all__ = ["ChangeChecker"]

_ENVELOPE_FIELDS = {
    "entity_key": "key",
    "entity_version": "version",
    "operation": "operation",
    "occurred_at": "occurred_at",
    "admin_unit_code": "admin_unit_code",
    "admin_code_list": "admin_code_list",
    "correlation_id": "correlation_id",
    "causation_id": "causation_id",
}
"""Envelope fields the caller sets, by the name they have in the request."""


class ChangeChecker:
    def __init__(self, builder: EventBuilder, encoders: dict[Domain, AvroSerializer]) -> None:
        self._builder = builder
        self._encoders = encoders

    @classmethod
    async def create(
        cls, spec: ConnectorSpec, topics: TopicSettings, domains: Sequence[Domain]
    ) -> "ChangeChecker":
        registry = InMemoryRegistry()
        encoders: dict[Domain, AvroSerializer] = {}
        for domain in domains:
            encoder = AvroSerializer(registry, repo_schema(domain.record_name))
            await encoder.prepare(domain.topic(topics))
            encoders[domain] = encoder
        return cls(EventBuilder(spec, topics, encoders), encoders)

    def problems(self, change: Change, now: datetime) -> list[FieldError]:
        """What stops `change` from being published; empty when it would be."""
        if change.domain is Domain.DOCUMENT_STATUSES and change.before is not None:
            return [FieldError("before", "a document status carries no before state")]
        try:
            event = self._builder.event(change, now)
        except DeadLetterError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError):
                return [
                    FieldError(_request_path(problem["loc"]), problem["msg"])
                    for problem in cause.errors(include_url=False, include_input=False)
                ]
            return [FieldError("(body)", exc.reason)]
        try:
            self._encoders[change.domain].encode(event.to_avro())
        except RecordMismatchError as exc:
            return [FieldError(_request_field(exc.field), exc.problem)]
        return []


def _request_path(loc: tuple[str | int, ...]) -> str:
    """Where an event field came from in the request (`status.*` of a status is `after.*`)."""
    if loc and loc[0] == "envelope" and len(loc) > 1 and str(loc[1]) in _ENVELOPE_FIELDS:
        return field_path((_ENVELOPE_FIELDS[str(loc[1])], *loc[2:]))
    if loc and loc[0] == "status":
        return field_path(("after", *loc[1:]))
    return field_path(loc)


def _request_field(path: str) -> str:
    head, dot, rest = path.partition(".")
    if head == "envelope":
        name, dot, rest = rest.partition(".")
        head = _ENVELOPE_FIELDS.get(name, f"envelope.{name}")
    elif head == "status":
        head = "after"
    return f"{head}{dot}{rest}"
