"""Which field of a record does not fit its schema, said as a path (`after.steps[0].action`).

Only runs after fastavro's writer has refused a record, so the hot path pays nothing for it.
fastavro's own messages name the record type but not where in a union the value failed.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from fastavro.validation import validate

__all__ = ["Mismatch", "find_mismatch"]

_PRIMITIVES: Final = frozenset(
    {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
)
_MISSING: Final = object()


@dataclass(frozen=True)
class Mismatch:
    field: str
    problem: str


def find_mismatch(record: Any, parsed_schema: Any) -> Mismatch | None:
    """The first value in `record` that `parsed_schema` (fastavro's parsed form) rejects."""
    named = parsed_schema.get("__named_schemas", {}) if isinstance(parsed_schema, dict) else {}
    return _check(record, parsed_schema, named, "")


def _check(datum: Any, schema: Any, named: Mapping[str, Any], path: str) -> Mismatch | None:
    if isinstance(schema, str) and schema in named:
        schema = named[schema]
    if isinstance(schema, list):
        return _check_union(datum, schema, named, path)
    kind = schema.get("type") if isinstance(schema, dict) else schema
    if kind == "record":
        return _check_record(datum, schema, named, path)
    if kind == "array":
        if not isinstance(datum, list | tuple):
            return _wrong(path, datum, "an array (list)")
        for i, item in enumerate(datum):
            found = _check(item, schema["items"], named, f"{path}[{i}]")
            if found:
                return found
        return None
    if kind == "map":
        if not isinstance(datum, Mapping):
            return _wrong(path, datum, "a map (dict)")
        for key, item in datum.items():
            found = _check(item, schema["values"], named, f"{path}[{key!r}]")
            if found:
                return found
        return None
    if kind == "enum":
        if datum not in schema["symbols"]:
            return Mismatch(path or "(root)", f"{datum!r} is not one of {schema['symbols']}")
        return None
    if kind in _PRIMITIVES or kind == "fixed":
        return _check_leaf(datum, schema, path)
    return None


def _check_leaf(datum: Any, schema: Any, path: str) -> Mismatch | None:
    try:
        fits = validate(datum, schema, raise_errors=False)
    except (ValueError, TypeError, ArithmeticError) as exc:  # a decimal beyond its scale, say
        return Mismatch(path or "(root)", f"{_shown(datum)} does not fit {_label(schema)}: {exc}")
    return None if fits else _wrong(path, datum, _label(schema))


def _check_record(
    datum: Any, schema: Mapping[str, Any], named: Mapping[str, Any], path: str
) -> Mismatch | None:
    if not isinstance(datum, Mapping):
        return _wrong(path, datum, f"a {schema['name']} record (dict)")
    for fld in schema["fields"]:
        name = fld["name"]
        inner = f"{path}.{name}" if path else name
        value = datum.get(name, _MISSING)
        if value is _MISSING:
            if "default" in fld:
                continue
            return Mismatch(
                inner, f"missing, and the schema gives no default ({_label(fld['type'])})"
            )
        found = _check(value, fld["type"], named, inner)
        if found:
            return found
    return None


def _check_union(
    datum: Any, branches: list[Any], named: Mapping[str, Any], path: str
) -> Mismatch | None:
    failures = [_check(datum, branch, named, path) for branch in branches]
    if any(failure is None for failure in failures):
        return None
    if datum is not None:
        # The one non-null branch is what the value meant to be: its reason is the useful one.
        non_null = [f for b, f in zip(branches, failures, strict=True) if b != "null"]
        if len(non_null) == 1 and non_null[0] is not None:
            return non_null[0]
    expected = " | ".join(_label(branch) for branch in branches)
    return _wrong(path, datum, f"one of {expected}")


def _wrong(path: str, datum: Any, expected: str) -> Mismatch:
    return Mismatch(path or "(root)", f"{_shown(datum)} ({type(datum).__name__}) is not {expected}")


def _shown(datum: Any) -> str:
    shown = repr(datum)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _label(schema: Any) -> str:
    if isinstance(schema, list):
        return " | ".join(_label(branch) for branch in schema)
    if isinstance(schema, dict):
        logical = schema.get("logicalType")
        base = str(schema.get("name") or schema.get("type"))
        return f"{base} ({logical})" if logical else base
    return str(schema)
