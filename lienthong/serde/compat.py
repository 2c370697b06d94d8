"""The evolution gate: may a schema follow the earlier versions of its subject at its level?

The verdict is the registry's own (`lienthong.registry.compatibility`, Apache Avro's
checker), so the gate refuses exactly what `lienthong registry serve` would refuse. On a
refusal, each problem is then located field by field (`compat_explain`) and explained.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import avro.schema
from avro.errors import AvroException

from lienthong.errors import SchemaError
from lienthong.registry.compatibility import CompatibilityLevel, PreviousSchema, incompatibilities
from lienthong.serde.compat_explain import Finding, Rule, reader_writer_findings
from lienthong.serde.schema import AvroSchema

__all__ = [
    "CompatibilityLevel",
    "Direction",
    "Incompatibility",
    "IncompatibleChangeError",
    "check_compatibility",
]


class Direction(StrEnum):
    BACKWARD = "backward"
    """The new schema reads data written with an earlier one."""
    FORWARD = "forward"
    """Consumers still on an earlier schema read data written with the new one."""


_RULE_HINTS: Final[dict[str, str]] = {
    Rule.reader_field_missing_default_value.value: (
        "the reader has this field, the writer never wrote it, and the reader gives no default"
        ' — give the field a default (nullable: ["null", ...] with default null)'
    ),
    Rule.type_mismatch.value: (
        "the type changed in a way Avro cannot convert (it promotes only int→long→float→double"
        " and string↔bytes) — add a new field instead of changing this one"
    ),
    Rule.missing_union_branch.value: "the writer may write a type the reader's union lacks",
    Rule.missing_enum_symbols.value: (
        "the writer has enum symbols the reader lacks, and the reader's enum has no default"
    ),
    Rule.name_mismatch.value: "a named type was renamed — keep the name, or alias the old one",
    Rule.fixed_size_mismatch.value: "a fixed type changed size",
}


@dataclass(frozen=True)
class Incompatibility:
    against: str
    """The earlier version the new schema was checked against, e.g. `v1`."""
    direction: Direction
    field: str
    rule: str
    detail: str

    def explain(self) -> str:
        if self.direction is Direction.BACKWARD:
            who = f"the new schema cannot read data written with {self.against}"
        else:
            who = f"consumers on {self.against} cannot read data written with the new schema"
        hint = _RULE_HINTS.get(self.rule, "the registry's checker refuses it")
        if (
            self.direction is Direction.FORWARD
            and self.rule == Rule.reader_field_missing_default_value.value
        ):
            hint = f"the new schema drops a field that {self.against} requires — keep the field"
        detail = "" if self.field.endswith(self.detail) else f" ({self.detail})"
        return f"{who}: field {self.field}: rule {self.rule}{detail}: {hint}"


class IncompatibleChangeError(SchemaError):
    """A schema may not follow the earlier versions of its subject at the subject's level."""

    def __init__(
        self, subject: str, level: CompatibilityLevel, problems: Sequence[Incompatibility]
    ) -> None:
        lines = "".join(f"\n  - {problem.explain()}" for problem in problems)
        super().__init__(f"{subject} must stay {level.value}-compatible, and is not:{lines}")
        self.subject = subject
        self.level = level
        self.problems = tuple(problems)


def check_compatibility(
    new: AvroSchema, earlier: Sequence[tuple[int, AvroSchema]], level: CompatibilityLevel
) -> list[Incompatibility]:
    """What stops `new` following `earlier` ((version, schema), oldest first) at `level`."""
    new_avro = _to_avro(new)
    previous = [PreviousSchema(version, old.text, _to_avro(old)) for version, old in earlier]
    verdict = incompatibilities(level, new_avro, previous)
    if not verdict:
        return []
    found: list[Incompatibility] = []
    for old in previous if level.transitive else previous[-1:]:
        label = f"v{old.version}"
        if level.new_reads_old:
            found += _label(label, Direction.BACKWARD, reader_writer_findings(new_avro, old.avro))
        if level.old_reads_new:
            found += _label(label, Direction.FORWARD, reader_writer_findings(old.avro, new_avro))
    # The walk descends where the checker looks; should it ever find nothing, say what it said.
    return found or [
        Incompatibility("an earlier version", Direction.BACKWARD, "(root)", "incompatible", line)
        for line in verdict
    ]


def _label(against: str, direction: Direction, findings: list[Finding]) -> list[Incompatibility]:
    return [Incompatibility(against, direction, f.field, f.rule.value, f.detail) for f in findings]


def _to_avro(schema: AvroSchema) -> avro.schema.Schema:
    try:
        return avro.schema.parse(json.dumps(schema.json))
    except (AvroException, ValueError) as exc:
        raise SchemaError(f"Apache Avro cannot parse {schema.full_name}: {exc}") from exc
