"""What changed between two versions of a schema, field by field (`after.applicant.phone`)."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from lienthong.serde.schema import AvroSchema

__all__ = ["ChangeKind", "FieldChange", "diff_schemas"]


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    TYPE = "type changed"
    DEFAULT = "default changed"
    SYMBOLS = "symbols changed"
    DOC = "doc changed"


@dataclass(frozen=True)
class FieldChange:
    field: str
    kind: ChangeKind
    old: str | None = None
    new: str | None = None

    def describe(self) -> str:
        if self.kind is ChangeKind.ADDED:
            return f"+ {self.field}: {self.new}"
        if self.kind is ChangeKind.REMOVED:
            return f"- {self.field}: {self.old}"
        return f"~ {self.field}: {self.kind.value}: {self.old} → {self.new}"


def diff_schemas(old: AvroSchema, new: AvroSchema) -> list[FieldChange]:
    """The changes from `old` to `new`, in field order."""
    walk = _Walk(_named(old.parsed), _named(new.parsed))
    walk.compare(old.parsed, new.parsed, "")
    return walk.changes


def _named(parsed: Any) -> Mapping[str, Any]:
    return parsed.get("__named_schemas", {}) if isinstance(parsed, dict) else {}


class _Walk:
    def __init__(self, old_named: Mapping[str, Any], new_named: Mapping[str, Any]) -> None:
        self.old_named, self.new_named = old_named, new_named
        self.changes: list[FieldChange] = []
        self.descending: set[tuple[str, str]] = set()

    def compare(self, old: Any, new: Any, path: str) -> None:
        if isinstance(old, str):
            old = self.old_named.get(old, old)
        if isinstance(new, str):
            new = self.new_named.get(new, new)
        kinds = (_kind(old), _kind(new))
        if kinds == ("record", "record") and old["name"] == new["name"]:
            self._records(old, new, path)
        elif kinds == ("enum", "enum") and old["name"] == new["name"]:
            gone = [s for s in old["symbols"] if s not in new["symbols"]]
            added = [s for s in new["symbols"] if s not in old["symbols"]]
            if gone or added:
                self._add(
                    path,
                    ChangeKind.SYMBOLS,
                    " ".join(f"-{s}" for s in gone) or "none",
                    " ".join(f"+{s}" for s in added) or "none",
                )
        elif kinds == ("array", "array"):
            self.compare(old["items"], new["items"], f"{path}[]")
        elif kinds == ("map", "map"):
            self.compare(old["values"], new["values"], f"{path}{{}}")
        elif kinds == ("union", "union") and [_label(b) for b in old] == [_label(b) for b in new]:
            for old_branch, new_branch in zip(old, new, strict=True):
                self.compare(old_branch, new_branch, path)
        elif _label(old) != _label(new):
            self._add(path, ChangeKind.TYPE, _label(old), _label(new))

    def _records(self, old: Mapping[str, Any], new: Mapping[str, Any], path: str) -> None:
        key = (path, str(new["name"]))
        if key in self.descending:
            return
        self.descending.add(key)
        before = {fld["name"]: fld for fld in old["fields"]}
        for fld in new["fields"]:
            inner = f"{path}.{fld['name']}" if path else fld["name"]
            was = before.pop(fld["name"], None)
            if was is None:
                self._add(inner, ChangeKind.ADDED, new=_describe_field(fld))
                continue
            self.compare(was["type"], fld["type"], inner)
            if was.get("default", ...) != fld.get("default", ...):
                self._add(inner, ChangeKind.DEFAULT, _default(was), _default(fld))
            if was.get("doc") != fld.get("doc"):
                self._add(inner, ChangeKind.DOC, was.get("doc"), fld.get("doc"))
        for name, fld in before.items():
            self._add(f"{path}.{name}" if path else name, ChangeKind.REMOVED, _describe_field(fld))
        self.descending.discard(key)

    def _add(
        self, path: str, kind: ChangeKind, old: str | None = None, new: str | None = None
    ) -> None:
        self.changes.append(FieldChange(path or "(root)", kind, old, new))


def _kind(schema: Any) -> str:
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, dict):
        return str(schema.get("type"))
    return str(schema)


def _label(schema: Any) -> str:
    if isinstance(schema, list):
        return " | ".join(_label(branch) for branch in schema)
    if not isinstance(schema, dict):
        return str(schema)
    kind = schema.get("type")
    if kind == "array":
        return f"array<{_label(schema['items'])}>"
    if kind == "map":
        return f"map<{_label(schema['values'])}>"
    logical = schema.get("logicalType")
    base = str(schema.get("name") or kind)
    return f"{base} ({logical})" if logical else base


def _default(fld: Mapping[str, Any]) -> str:
    return repr(fld["default"]) if "default" in fld else "no default"


def _describe_field(fld: Mapping[str, Any]) -> str:
    default = f", default {fld['default']!r}" if "default" in fld else ", required (no default)"
    return f"{_label(fld['type'])}{default}"
