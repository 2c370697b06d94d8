"""One polled row to one source item: the entity in its domain's JSON shape, or a rejection.

Pure: no I/O. Columns named like an entity field become that field; `a__b` names build a nested
record (all of its parts NULL: the record is absent); JSON text in a record or list field is
parsed, numbers as exact decimals. The bookkeeping columns (timestamp, id, key, version,
deleted flag, admin unit and code list) stay out of the entity unless they are fields of it too.
"""

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from connectors.admin_code_lists import code_list_named
from connectors.contract import Change, Domain, Rejected, SourceItem
from connectors.polling.entity import EntityShape
from connectors.polling.options import PollingOptions
from connectors.polling.position import PollPosition
from lienthong.errors import ConfigurationError, DeadLetterError
from lienthong.events import AdminCodeList, Operation

__all__ = ["NESTED", "PARSE", "RowMapper", "is_set"]

PARSE = "PARSE"
NESTED = "__"
"""`certificate__serial_no` is the `serial_no` of the `certificate` record: no quoting needed."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_UNSET_TEXT = frozenset({"", "0", "f", "false", "n", "no"})


def is_set(flag: Any) -> bool:
    """A soft-delete column marks the row deleted: true, non-zero, 'Y', or any timestamp."""
    if flag is None or flag is False:
        return False
    if isinstance(flag, int | float | Decimal):
        return flag != 0
    if isinstance(flag, str):
        return flag.strip().lower() not in _UNSET_TEXT
    return True


class RowMapper:
    def __init__(
        self,
        domain: Domain,
        options: PollingOptions,
        shape: EntityShape,
        timestamp_of: Callable[[Any], datetime],
    ) -> None:
        self.domain, self.options, self.shape = domain, options, shape
        self._timestamp_of = timestamp_of
        self._bookkeeping = {
            name
            for name in (
                options.timestamp_column,
                options.incrementing_column,
                options.key_column,
                options.version_column,
                options.deleted_column,
                options.admin_unit_column,
                options.admin_code_list_column,
            )
            if name is not None
        }

    def check_columns(self, columns: Iterable[str]) -> None:
        """The query must give the bookkeeping columns, and (for a query) nothing unknown."""
        present = set(columns)
        missing = sorted(self._bookkeeping - present)
        if missing:
            raise ConfigurationError(f"the polled rows have no column {', '.join(missing)}")
        if self.options.query is None:
            return  # a table's other columns are left out
        unknown = sorted(
            name
            for name in present - self._bookkeeping
            if name.split(NESTED)[0] not in self.shape.fields
        )
        if unknown:
            raise ConfigurationError(
                f"query column(s) {', '.join(unknown)} are not fields of {self.shape.name} "
                f"(alias each column to a field: {', '.join(sorted(self.shape.fields))})"
            )

    def position_of(self, row: Mapping[str, Any]) -> PollPosition:
        row_id = row[self.options.incrementing_column]
        if isinstance(row_id, bool) or not isinstance(row_id, int):
            raise ConfigurationError(
                f"incrementing_column {self.options.incrementing_column} must hold whole "
                f"numbers, got {row_id!r}"
            )
        return PollPosition(self._timestamp_of(row[self.options.timestamp_column]), row_id)

    def item(self, row: Mapping[str, Any]) -> SourceItem:
        position = self.position_of(row)
        where = f"id={position.id} ts={position.ts.isoformat(timespec='microseconds')}"
        key = row[self.options.key_column]
        try:
            if key is None or str(key) == "":
                raise DeadLetterError(f"key column {self.options.key_column} is empty", stage=PARSE)
            occurred_at = self._aware(position.ts)
            version = self._version(row, occurred_at)
            code_list = self._code_list(row)
            entity = self._entity(row)
        except DeadLetterError as error:
            return Rejected(
                self.domain,
                error.reason,
                error.stage,
                json.dumps(dict(row), ensure_ascii=False, default=str).encode("utf-8"),
                key=None if key is None else str(key),
                position=position.to_text(),
                source_position=where,
            )
        deleted = self.options.deleted_column is not None and is_set(
            row[self.options.deleted_column]
        )
        admin_unit = row[self.options.admin_unit_column] if self.options.admin_unit_column else None
        return Change(
            self.domain,
            str(key),
            Operation.DELETE if deleted else Operation.UPDATE,
            version,
            occurred_at,
            after=None if deleted else entity,
            before=entity if deleted else None,
            position=position.to_text(),
            admin_unit_code=None if admin_unit is None else str(admin_unit),
            admin_code_list=code_list,
            source_position=where,
        )

    def _aware(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.options.zone)
        return moment.astimezone(UTC)

    def _version(self, row: Mapping[str, Any], occurred_at: datetime) -> int:
        column = self.options.version_column
        if column is None:
            # Microseconds since the epoch: a later change of the row gets a larger version.
            return (occurred_at - _EPOCH) // _MICROSECOND
        value = row[column]
        try:
            version = int(value)
        except (TypeError, ValueError) as exc:
            raise DeadLetterError(
                f"version column {column} must be a whole number, got {value!r}", stage=PARSE
            ) from exc
        return version

    def _code_list(self, row: Mapping[str, Any]) -> AdminCodeList | None:
        column = self.options.admin_code_list_column
        if column is None or row[column] is None:
            return None
        try:
            return code_list_named(row[column])
        except ValueError as exc:
            raise DeadLetterError(f"admin_code_list column {column}: {exc}", stage=PARSE) from exc

    def _entity(self, row: Mapping[str, Any]) -> dict[str, Any]:
        entity: dict[str, Any] = {}
        nested: dict[str, dict[str, Any]] = {}
        for column, value in row.items():
            field, _, rest = column.partition(NESTED)
            if field not in self.shape.fields:
                continue
            if rest:
                _place(nested.setdefault(field, {}), rest, value)
            else:
                entity[field] = self._field_value(field, value)
        for field, parts in nested.items():
            entity[field] = parts if _any_value(parts) else None
        return entity

    def _field_value(self, field: str, value: Any) -> Any:
        if field in self.shape.json_fields and isinstance(value, str | bytes):
            try:
                return json.loads(value, parse_float=Decimal)
            except ValueError as exc:
                raise DeadLetterError(
                    f"column {field} is not valid JSON: {exc}", stage=PARSE
                ) from exc
        if field in self.shape.instant_fields:
            if isinstance(value, str):
                try:
                    value = datetime.fromisoformat(value)
                except ValueError:
                    return value  # validation names the field and the bad value
            if isinstance(value, datetime):
                return self._aware(value)
        return value


def _place(target: dict[str, Any], path: str, value: Any) -> None:
    head, _, rest = path.partition(NESTED)
    if rest:
        _place(target.setdefault(head, {}), rest, value)
    else:
        target[head] = value


def _any_value(parts: Mapping[str, Any]) -> bool:
    return any(_any_value(v) if isinstance(v, Mapping) else v is not None for v in parts.values())
