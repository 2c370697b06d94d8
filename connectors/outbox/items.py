"""One outbox row to one source item: routed by aggregate type, keyed by aggregate id, its
payload read in the connector's format; or `Rejected` with the reason. Pure: no I/O."""

import uuid
from collections.abc import Callable

from connectors.contract import Change, Domain, Rejected, SourceItem
from connectors.motcua.mapping import SourceIdentity, event_id_for
from connectors.outbox.canonical import canonical_change
from connectors.outbox.motcua_format import motcua_change
from connectors.outbox.options import OutboxOptions, PayloadFormat
from connectors.outbox.rows import VALIDATE, OutboxRow
from connectors.spec import ConnectorSpec
from lienthong.errors import DeadLetterError

__all__ = ["ROUTE", "OutboxItems"]

ROUTE = "ROUTE"

_FORMATS: dict[PayloadFormat, Callable[[OutboxRow, Domain, str, uuid.UUID], Change]] = {
    PayloadFormat.CANONICAL: canonical_change,
    PayloadFormat.MOTCUA: motcua_change,
}


class OutboxItems:
    def __init__(self, spec: ConnectorSpec, options: OutboxOptions) -> None:
        self._routes = options.routes
        # A row that names no routed domain is dead-lettered beside the connector's first one.
        self._unrouted = Domain(spec.domains[0])
        self._source = SourceIdentity(spec.agency, spec.system)
        self._change = _FORMATS[options.payload_format]

    def item(self, row: OutboxRow) -> SourceItem:
        position = str(row.id)
        aggregate_type = "" if row.aggregate_type is None else str(row.aggregate_type)
        domain = self._routes.get(aggregate_type)
        try:
            if domain is None:
                raise DeadLetterError(self._no_route(aggregate_type), stage=ROUTE)
            if not row.aggregate_id:
                raise DeadLetterError("the row has no aggregate id", stage=VALIDATE)
            return self._change(row, domain, str(row.aggregate_id), self._event_id(row))
        except DeadLetterError as error:
            return Rejected(
                domain=domain or self._unrouted,
                reason=error.reason,
                stage=error.stage,
                original=row.original(),
                key=str(row.aggregate_id) if row.aggregate_id else None,
                position=position,
                source_position=position,
            )

    def _event_id(self, row: OutboxRow) -> uuid.UUID:
        """The row's own event id when it has one; else stable per agency, system and row."""
        value = row.event_id
        if value is None:
            return event_id_for(self._source, row.id)
        if isinstance(value, uuid.UUID):
            return value
        try:
            if isinstance(value, bytes) and len(value) == 16:
                return uuid.UUID(bytes=value)
            text = value.decode("ascii") if isinstance(value, bytes) else str(value)
            return uuid.UUID(text.strip())
        except ValueError:
            raise DeadLetterError(f"event id {value!r} is not a UUID", stage=VALIDATE) from None

    def _no_route(self, aggregate_type: str) -> str:
        routed = ", ".join(f"{name} -> {domain}" for name, domain in self._routes.items())
        return f"aggregate type {aggregate_type!r} has no route (routes: {routed})"
