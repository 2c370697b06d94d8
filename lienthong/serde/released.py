"""`schemas/released/<subject>/v<N>.avsc`: every version of a subject ever published, frozen.

A release is written only if the schema is compatible with the earlier releases at the
subject's level, so the released history is the contract consumers may rely on.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from lienthong.errors import SchemaError
from lienthong.ids import Subject
from lienthong.serde.catalog import SubjectSpec
from lienthong.serde.compat import IncompatibleChangeError, check_compatibility
from lienthong.serde.schema import AvroSchema
from schemas import SCHEMA_DIR

__all__ = ["RELEASED_DIR", "Release", "ReleasedSchemas"]

RELEASED_DIR: Final = SCHEMA_DIR / "released"
_VERSION_FILE: Final = re.compile(r"v([1-9][0-9]*)\.avsc")


@dataclass(frozen=True)
class Release:
    subject: Subject
    version: int
    path: Path
    schema: AvroSchema
    created: bool = False
    """False when the schema was already the latest release and nothing was written."""

    @property
    def label(self) -> str:
        return f"v{self.version}"


class ReleasedSchemas:
    def __init__(self, root: Path = RELEASED_DIR) -> None:
        self.root = root

    def versions(self, subject: Subject) -> list[int]:
        folder = self.root / subject
        if not folder.is_dir():
            return []
        found = (_VERSION_FILE.fullmatch(path.name) for path in folder.iterdir())
        return sorted(int(match.group(1)) for match in found if match)

    def path(self, subject: Subject, version: int) -> Path:
        return self.root / subject / f"v{version}.avsc"

    def read(self, subject: Subject, version: int) -> Release:
        path = self.path(subject, version)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            known = ", ".join(f"v{v}" for v in self.versions(subject)) or "none"
            raise SchemaError(f"{subject} has no released v{version} (released: {known})") from exc
        return Release(subject, version, path, AvroSchema.from_text(text))

    def history(self, subject: Subject) -> list[Release]:
        """Every release of `subject`, oldest first."""
        return [self.read(subject, version) for version in self.versions(subject)]

    def check(self, spec: SubjectSpec, schema: AvroSchema) -> IncompatibleChangeError | None:
        """Why `schema` may not follow the releases of `spec.subject`, or None if it may."""
        earlier = [(release.version, release.schema) for release in self.history(spec.subject)]
        problems = check_compatibility(schema, earlier, spec.compatibility)
        return (
            IncompatibleChangeError(spec.subject, spec.compatibility, problems)
            if problems
            else None
        )

    def release(self, spec: SubjectSpec, schema: AvroSchema) -> Release:
        """Write `schema` as the subject's next version, if compatible and not released yet."""
        history = self.history(spec.subject)
        if history and history[-1].schema == schema:
            return history[-1]
        refused = self.check(spec, schema)
        if refused is not None:
            raise refused
        version = history[-1].version + 1 if history else 1
        path = self.path(spec.subject, version)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as out:  # never overwrite a release
            out.write(json.dumps(schema.json, indent=2, ensure_ascii=False) + "\n")
        return Release(spec.subject, version, path, schema, created=True)
