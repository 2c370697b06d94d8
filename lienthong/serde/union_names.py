"""Records inside unions, named before fastavro writes them.

fastavro picks the branch of a union by validating the datum against each branch in turn, so
the dossier in a `["null", Dossier]` field is walked in full once to choose the branch and
again to write it: about a third of the cost of encoding a change event. Handing the writer
`(branch name, record)` instead (fastavro's tuple notation) makes it take that branch at
once; the bytes are the same.

Only unions with a single record branch beside `"null"` are named, and only for a plain
`dict` value: anything else (None, a value already in tuple notation, a wrong type) goes to
the writer untouched, which resolves or refuses it as before.
"""

from collections.abc import Callable
from typing import Any

__all__ = ["RecordNamer", "union_namer"]

RecordNamer = Callable[[Any], Any]
"""Returns its datum with every record in a single-record union as `(full name, record)`."""


def union_namer(parsed: Any) -> RecordNamer | None:
    """The namer for a fastavro-parsed schema; None when it has no such union to name."""
    named: dict[str, Any] = parsed.get("__named_schemas", {}) if isinstance(parsed, dict) else {}
    return _Compiler(named).namer(parsed)


class _Compiler:
    def __init__(self, named: dict[str, Any]) -> None:
        self._named = named
        self._open: set[str] = set()
        """Records being compiled: a recursive reference is left to the writer."""

    def namer(self, schema: Any) -> RecordNamer | None:
        if isinstance(schema, list):
            return self._union(schema)
        if isinstance(schema, str):
            found = self._named.get(schema)
            return None if found is None or schema in self._open else self.namer(found)
        if not isinstance(schema, dict):
            return None
        kind = schema["type"]
        if kind == "record":
            return self._record(schema)
        if kind == "array":
            return _each_item(self.namer(schema["items"]))
        if kind == "map":
            return _each_value(self.namer(schema["values"]))
        return self.namer(kind) if isinstance(kind, dict | list) else None

    def _record(self, schema: dict[str, Any]) -> RecordNamer | None:
        name = schema["name"]
        self._open.add(name)
        try:
            fields = [(f["name"], self.namer(f["type"])) for f in schema["fields"]]
        finally:
            self._open.discard(name)
        return _fields([(field, namer) for field, namer in fields if namer is not None])

    def _union(self, branches: list[Any]) -> RecordNamer | None:
        others = [branch for branch in branches if branch != "null"]
        if len(others) != 1:
            return None
        record = self._resolved(others[0])
        if record is None or record.get("type") != "record" or record["name"] in self._open:
            return None
        return _named(record["name"], self._record(record))

    def _resolved(self, schema: Any) -> dict[str, Any] | None:
        if isinstance(schema, str):
            schema = self._named.get(schema)
        return schema if isinstance(schema, dict) else None


def _named(name: str, inner: RecordNamer | None) -> RecordNamer:
    if inner is None:
        return lambda value: (name, value) if type(value) is dict else value
    return lambda value: (name, inner(value)) if type(value) is dict else value


def _fields(namers: list[tuple[str, RecordNamer]]) -> RecordNamer | None:
    if not namers:
        return None

    def name_fields(record: Any) -> Any:
        if type(record) is not dict:
            return record
        copy = dict(record)
        for field, namer in namers:
            if field in copy:
                copy[field] = namer(copy[field])
        return copy

    return name_fields


def _each_item(namer: RecordNamer | None) -> RecordNamer | None:
    if namer is None:
        return None
    return lambda items: (
        [namer(item) for item in items] if type(items) is list or type(items) is tuple else items
    )


def _each_value(namer: RecordNamer | None) -> RecordNamer | None:
    if namer is None:
        return None
    return lambda values: (
        {key: namer(value) for key, value in values.items()} if type(values) is dict else values
    )
