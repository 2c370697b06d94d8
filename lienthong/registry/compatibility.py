"""Compatibility levels and the decision they make, with Apache Avro's own reader/writer checker.

BACKWARD: the new schema reads data written with the previous one. FORWARD: the previous schema
reads data written with the new one. FULL: both. `*_TRANSITIVE`: against every live version,
not only the latest. NONE: anything goes.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType
from avro.schema import Schema

from lienthong.registry.errors import InvalidCompatibilityLevelError

__all__ = ["CompatibilityLevel", "PreviousSchema", "incompatibilities", "parse_level"]


class CompatibilityLevel(StrEnum):
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"

    @property
    def transitive(self) -> bool:
        return self.endswith("_TRANSITIVE")

    @property
    def new_reads_old(self) -> bool:
        return self.startswith(("BACKWARD", "FULL"))

    @property
    def old_reads_new(self) -> bool:
        return self.startswith(("FORWARD", "FULL"))


def parse_level(value: object) -> CompatibilityLevel:
    """A level from a request or a setting, in any case; 42203 when it is none of the seven."""
    if isinstance(value, str):
        try:
            return CompatibilityLevel(value.strip().upper())
        except ValueError:
            pass
    raise InvalidCompatibilityLevelError()


@dataclass(frozen=True, slots=True)
class PreviousSchema:
    """A live version of the subject, as the check needs it."""

    version: int
    text: str
    avro: Schema


def incompatibilities(
    level: CompatibilityLevel, new: Schema, previous: Sequence[PreviousSchema]
) -> list[str]:
    """Why `new` may not follow `previous` (oldest first) under `level`; empty when it may."""
    if level is CompatibilityLevel.NONE or not previous:
        return []
    against = previous if level.transitive else previous[-1:]
    messages: list[str] = []
    for old in reversed(against):
        found: list[str] = []
        if level.new_reads_old:
            found += _problems(reader=new, writer=old.avro, reader_is_new=True)
        if level.old_reads_new:
            found += _problems(reader=old.avro, writer=new, reader_is_new=False)
        if found:
            messages += found
            messages += [
                f"{{oldSchemaVersion: {old.version}}}",
                f"{{oldSchema: '{old.text}'}}",
                f"{{compatibility: '{level}'}}",
            ]
    return messages


def _problems(*, reader: Schema, writer: Schema, reader_is_new: bool) -> list[str]:
    """One Confluent-style message per incompatibility the Avro checker reports."""
    # A fresh checker each time: it memoises pairs by schema, for the life of the checker.
    checker = ReaderWriterCompatibilityChecker()  # type: ignore[no-untyped-call]
    result = checker.get_compatibility(reader, writer)
    if result.compatibility is SchemaCompatibilityType.compatible:
        return []
    roles = ("new", "old") if reader_is_new else ("old", "new")
    where = ", ".join(sorted(result.locations))
    detail = "; ".join(sorted(str(message) for message in result.messages))
    return [
        f"{{errorType:'{kind.name.upper()}', description:'The {roles[0]} schema cannot read "
        f"data written with the {roles[1]} schema at {where}', additionalInfo:'{detail}'}}"
        for kind in result.incompatibilities
    ]
