"""One Avro schema in the forms the bus needs: JSON, registry text, fastavro's parsed form.

A schema from `schemas/` is resolved first: every named type it references is inlined at
its first use, so the text is self-contained, as a registry stores it.
"""

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

from fastavro import parse_schema
from fastavro.schema import SchemaParseException, load_schema

from lienthong.errors import SchemaError
from schemas import schema_path

__all__ = ["AvroSchema", "repo_schema", "schema_text"]


def schema_text(schema_json: Any) -> str:
    """The compact JSON sent to a registry; the same JSON always gives the same text."""
    return json.dumps(schema_json, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, eq=False)
class AvroSchema:
    """An immutable schema; two are equal when their JSON is."""

    json: Any
    """Plain JSON (dicts, lists, strings) as in a self-contained `.avsc` file."""
    text: str = field(repr=False)
    parsed: Any = field(repr=False)
    """fastavro's parsed form, ready for `schemaless_writer` / `schemaless_reader`."""

    @classmethod
    def from_json(cls, schema_json: Any) -> "AvroSchema":
        try:
            parsed = parse_schema(schema_json)
        except (SchemaParseException, ValueError, TypeError, KeyError) as exc:
            raise SchemaError(f"not a valid Avro schema: {exc}") from exc
        return cls(schema_json, schema_text(schema_json), parsed)

    @classmethod
    def from_text(cls, text: str) -> "AvroSchema":
        try:
            schema_json = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SchemaError(f"schema is not JSON: {exc}") from exc
        return cls.from_json(schema_json)

    @property
    def full_name(self) -> str:
        """The full name of a named schema (`vn.lienthong.motcua.DossierChange`), else its type."""
        parsed = self.parsed
        if isinstance(parsed, dict):
            return str(parsed.get("name") or parsed.get("type"))
        return "union" if isinstance(parsed, list) else str(parsed)

    @cached_property
    def shape(self) -> Any:
        """The parsed form without docs: equal shapes write and read the same bytes the same way."""
        return _without_docs(self.parsed)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AvroSchema) and self.text == other.text

    def __hash__(self) -> int:
        return hash(self.text)


def repo_schema(full_name: str) -> AvroSchema:
    """The repository's current schema for a record, from its `.avsc` file, resolved."""
    try:
        path = schema_path(full_name)
    except FileNotFoundError as exc:
        raise SchemaError(str(exc)) from exc
    try:
        resolved = load_schema(str(path), _write_hint=False)
    except (SchemaParseException, ValueError) as exc:  # bad JSON, unknown named type
        raise SchemaError(f"{path.name} is not a valid Avro schema: {exc}") from exc
    return AvroSchema.from_json(_tidy(resolved))


_TYPE_KEYS: Final = ("type", "name", "namespace", "logicalType", "precision", "scale", "size")
_FIELD_KEYS: Final = ("name", "type", "default", "order", "aliases", "doc")


def _tidy(value: Any, *, field: bool = False) -> Any:
    """The resolved JSON with keys in the order people write them, so released files read well."""
    if isinstance(value, list):
        return [_tidy(item) for item in value]
    if not isinstance(value, dict):
        return value
    first = _FIELD_KEYS if field else _TYPE_KEYS
    ordered = {key: value[key] for key in first if key in value}
    ordered |= {key: item for key, item in value.items() if key not in ordered}
    for key, item in ordered.items():
        if key == "fields":
            ordered[key] = [_tidy(fld, field=True) for fld in item]
        elif key in ("type", "items", "values"):
            ordered[key] = _tidy(item)
    return ordered


def _without_docs(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _without_docs(item)
            for key, item in value.items()
            if key not in ("doc", "__named_schemas")
        }
    if isinstance(value, list):
        return [_without_docs(item) for item in value]
    return value
