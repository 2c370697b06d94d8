"""From one table row (snapshot or WAL) to the source item the framework publishes. Pure."""

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from connectors.admin_code_lists import code_list_named
from connectors.contract import Change, Rejected, SourceItem
from connectors.pgcdc.catalog import CapturedTable
from connectors.spec import ConnectorSpec
from lienthong.events import AdminCodeList, Operation

__all__ = ["CAPTURE", "PGCDC_EVENTS", "Origin", "RowChanges", "rejected"]

CAPTURE: Final = "CAPTURE"
"""Dead-letter stage of changes the log cannot express whole (TRUNCATE, unsent TOAST)."""

PGCDC_EVENTS: Final = uuid.UUID("6f1f3a52-0c57-5d2e-9d2b-7be0a4c1e0d3")
"""Namespace of pgcdc event ids: agency/system/table/key/version/operation/index."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where and when a row was read: shared by the items of one transaction or chunk."""

    version: int
    """The transaction's commit LSN, or the snapshot chunk's WAL position."""
    occurred_at: datetime
    source_position: str
    """Human-readable: the change's LSN, or the snapshot's table and version."""


class RowChanges:
    """Builds the items of one captured table, with event ids stable across re-reads."""

    def __init__(self, spec: ConnectorSpec, table: CapturedTable) -> None:
        self.table = table
        self._prefix = f"{spec.agency}/{spec.system}/{table.name}"
        self._json = frozenset(table.options.json_columns)
        self._admin = table.options.admin_unit_column
        self._code_list = table.options.admin_code_list_column

    def key_of(self, values: Mapping[str, Any]) -> str:
        return "/".join(str(values[column]) for column in self.table.key_columns)

    def item(
        self,
        operation: Operation,
        after: Mapping[str, Any] | None,
        before: Mapping[str, Any] | None,
        *,
        origin: Origin,
        index: int,
        position: str | None = None,
        key_values: Mapping[str, Any] | None = None,
    ) -> SourceItem:
        """A change from the row `after` it (None for a DELETE) and, when known, `before` it.

        The key comes from `key_values` (a DELETE's old key columns), else from `after`.
        `index` tells apart changes of one key that share a version (one transaction)."""
        keyed = key_values if key_values is not None else after
        assert keyed is not None, "a change has a row or key columns"
        key = self.key_of(keyed)
        try:
            entity = None if after is None else self.entity(after)
            before_entity = None if before is None else self.entity(before)
            code_list = self.code_list_of(keyed)
        except ValueError as exc:
            return rejected(
                self.table, str(exc), operation, keyed, position, origin.source_position
            )
        name = f"{self._prefix}/{key}/{origin.version}/{operation.value}/{index}"
        admin = keyed.get(self._admin) if self._admin else None
        return Change(
            domain=self.table.options.domain,
            key=key,
            operation=operation,
            version=origin.version,
            occurred_at=origin.occurred_at,
            after=entity,
            before=before_entity,
            position=position,
            event_id=uuid.uuid5(PGCDC_EVENTS, name),
            admin_unit_code=None if admin is None else str(admin),
            admin_code_list=code_list,
            source_position=origin.source_position,
        )

    def code_list_of(self, values: Mapping[str, Any]) -> AdminCodeList | None:
        """The code list the row names; None when it names none (or the column is not read)."""
        named = values.get(self._code_list) if self._code_list else None
        if named is None:
            return None
        try:
            return code_list_named(named)
        except ValueError as exc:
            raise ValueError(f"admin_code_list column {self._code_list}: {exc}") from exc

    def entity(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The entity in the domain's JSON shape; ValueError when a JSON column is not JSON."""
        entity: dict[str, Any] = {}
        for column, field in self.table.fields.items():
            value = values.get(column)
            if column in self._json and isinstance(value, str):
                try:
                    value = json.loads(value)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"column {column} does not hold JSON: {exc}") from exc
            entity[field] = value
        return entity


def rejected(
    table: CapturedTable,
    reason: str,
    operation: Operation | str,
    values: Mapping[str, Any] | None,
    position: str | None,
    source_position: str,
) -> Rejected:
    """A change that goes to the dead-letter topic, the row as it was read kept in it."""
    original = {
        "table": table.name,
        "operation": str(operation),
        "values": None if values is None else dict(values),
        "source_position": source_position,
    }
    key = None
    if values is not None and all(values.get(c) is not None for c in table.key_columns):
        key = "/".join(str(values[c]) for c in table.key_columns)
    return Rejected(
        domain=table.options.domain,
        reason=reason,
        stage=CAPTURE,
        original=json.dumps(original, ensure_ascii=False, default=str).encode("utf-8"),
        key=key,
        position=position,
        source_position=source_position,
    )
