"""Where, field by field, a reader schema cannot read a writer's data, and under which rule.

The verdict is Apache Avro's `ReaderWriterCompatibilityChecker` (as registries use); it
reports its findings as sets that lose which message belongs to which place. This walk
descends the two schemas beside it and asks the checker again at each level, so every
finding keeps its field path (`after.applicant.kind`) and its rule.
"""

from dataclasses import dataclass

from avro.compatibility import (
    ReaderWriterCompatibilityChecker,
    SchemaCompatibilityType,
    SchemaIncompatibilityType,
    lookup_writer_field,
)
from avro.schema import ArraySchema, MapSchema, NamedSchema, RecordSchema, Schema, UnionSchema

__all__ = ["Finding", "reader_writer_findings"]

Rule = SchemaIncompatibilityType


@dataclass(frozen=True)
class Finding:
    field: str
    rule: Rule
    detail: str


def reader_writer_findings(reader: Schema, writer: Schema) -> list[Finding]:
    """Every place where `reader` cannot read what `writer` wrote; empty when compatible."""
    return _Walk().findings(reader, writer, "")


class _Walk:
    def __init__(self) -> None:
        self.checker = ReaderWriterCompatibilityChecker()  # type: ignore[no-untyped-call]
        self.descending: set[tuple[int, int]] = set()

    def findings(self, reader: Schema, writer: Schema, path: str) -> list[Finding]:
        verdict = self.checker.get_compatibility(reader, writer)
        if verdict.compatibility is not SchemaCompatibilityType.incompatible:
            return []
        pair = (id(reader), id(writer))
        if pair in self.descending:  # a recursive type, met again inside itself
            return []
        self.descending.add(pair)
        try:
            found = self._descend(reader, writer, path)
        finally:
            self.descending.discard(pair)
        if found:
            return found
        detail = "; ".join(sorted(verdict.messages))
        return [
            Finding(path or "(root)", rule, detail)
            for rule in dict.fromkeys(verdict.incompatibilities)
        ]

    def _descend(self, reader: Schema, writer: Schema, path: str) -> list[Finding]:
        if isinstance(writer, UnionSchema):
            return [f for branch in writer.schemas for f in self.findings(reader, branch, path)]
        if isinstance(reader, UnionSchema):
            same = [b for b in reader.schemas if _same_kind(b, writer)]
            return self.findings(same[0], writer, path) if same else []
        if isinstance(reader, RecordSchema) and isinstance(writer, RecordSchema):
            if reader.fullname != writer.fullname:
                return []
            return self._fields(reader, writer, path)
        if isinstance(reader, ArraySchema) and isinstance(writer, ArraySchema):
            return self.findings(reader.items, writer.items, f"{path}[]")
        if isinstance(reader, MapSchema) and isinstance(writer, MapSchema):
            return self.findings(reader.values, writer.values, f"{path}{{}}")
        return []

    def _fields(self, reader: RecordSchema, writer: RecordSchema, path: str) -> list[Finding]:
        found: list[Finding] = []
        for field in reader.fields:
            inner = f"{path}.{field.name}" if path else field.name
            written = lookup_writer_field(writer_schema=writer, reader_field=field)
            if written is not None:
                found += self.findings(field.type, written.type, inner)
            elif not field.has_default and not _enum_with_default(field.type):
                found.append(Finding(inner, Rule.reader_field_missing_default_value, field.name))
        return found


def _same_kind(branch: Schema, writer: Schema) -> bool:
    if isinstance(branch, NamedSchema) and isinstance(writer, NamedSchema):
        return bool(branch.fullname == writer.fullname)
    return bool(branch.type == writer.type)


def _enum_with_default(schema: Schema) -> bool:
    return bool(schema.type == "enum" and schema.props.get("default"))
