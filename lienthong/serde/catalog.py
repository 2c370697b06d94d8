"""`schemas/subjects.json`: under which subject, on which topic and at which compatibility level
each top-level record (`schemas.TOP_LEVEL`) is registered.
"""

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lienthong.errors import ConfigurationError
from lienthong.ids import Subject, TopicName
from lienthong.serde.compat import CompatibilityLevel
from schemas import SCHEMA_DIR

__all__ = ["CATALOG_PATH", "Catalog", "SubjectSpec", "load_catalog"]

CATALOG_PATH: Final = SCHEMA_DIR / "subjects.json"


class SubjectSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: Subject
    record: str = Field(min_length=1)
    """Full name of the top-level record, e.g. `vn.lienthong.motcua.DossierChange`."""
    topic: TopicName
    compatibility: CompatibilityLevel


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    specs: tuple[SubjectSpec, ...]

    def __iter__(self) -> Iterator[SubjectSpec]:  # type: ignore[override]
        return iter(self.specs)

    def find(self, name: str) -> SubjectSpec:
        """The subject named `name`, or the one subject of the record named `name`."""
        found = [s for s in self.specs if name in (s.subject, s.record)]
        if len(found) == 1:
            return found[0]
        if not found:
            known = ", ".join(s.subject for s in self.specs)
            raise ConfigurationError(
                f"{name!r} is neither a subject nor a record in {CATALOG_PATH.name} ({known})"
            )
        names = ", ".join(s.subject for s in found)
        raise ConfigurationError(f"record {name} has several subjects ({names}): name one")

    def select(self, names: Iterable[str]) -> list[SubjectSpec]:
        """The subjects `names` designate, all of them when `names` is empty."""
        chosen = [self.find(name) for name in names]
        return chosen or list(self.specs)


def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        specs = [{"subject": subject, **spec} for subject, spec in raw["subjects"].items()]
        return Catalog(specs=tuple(SubjectSpec.model_validate(spec) for spec in specs))
    except (OSError, ValueError, KeyError, TypeError, ValidationError) as exc:
        raise ConfigurationError(f"{path} is not a valid subject catalog: {exc}") from exc
