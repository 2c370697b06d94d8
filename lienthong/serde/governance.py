"""The repository's subjects against their releases and a live registry.

The registry check runs here, not on the registry: it uses the subject's level from
`schemas/subjects.json` (whatever the registry is configured with) and the same gate as
the releases, so its explanations name fields and rules on any registry.
"""

from dataclasses import dataclass

from lienthong.ids import SchemaId, Subject
from lienthong.serde.catalog import SubjectSpec
from lienthong.serde.client import RegistryClient
from lienthong.serde.compat import CompatibilityLevel, Incompatibility, check_compatibility
from lienthong.serde.registry_errors import SubjectNotFoundError
from lienthong.serde.released import ReleasedSchemas
from lienthong.serde.schema import AvroSchema, repo_schema

__all__ = [
    "RecordStatus",
    "Registration",
    "SubjectCheck",
    "check_released",
    "check_subject",
    "record_status",
    "register_subject",
    "registry_history",
]


@dataclass(frozen=True)
class Registration:
    subject: Subject
    schema_id: SchemaId
    version: int
    compatibility: CompatibilityLevel


@dataclass(frozen=True)
class SubjectCheck:
    spec: SubjectSpec
    versions: tuple[int, ...]
    """The registry's versions the schema was checked against (empty: not registered yet)."""
    registry_level: CompatibilityLevel | None
    """The level the registry enforces for the subject, when it differs from the declared one."""
    problems: tuple[Incompatibility, ...]

    @property
    def compatible(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class RecordStatus:
    record: str
    spec: SubjectSpec | None
    released: tuple[int, ...]
    changed: bool
    """The repository's schema differs from the latest release (or nothing is released)."""

    @property
    def state(self) -> str:
        if self.spec is None:
            return "no subject in schemas/subjects.json"
        if not self.released:
            return "unreleased"
        return f"changed since v{self.released[-1]}" if self.changed else "released"


def record_status(record: str, spec: SubjectSpec | None, store: ReleasedSchemas) -> RecordStatus:
    if spec is None:
        return RecordStatus(record, None, (), True)
    versions = tuple(store.versions(spec.subject))
    latest = store.read(spec.subject, versions[-1]).schema if versions else None
    return RecordStatus(record, spec, versions, latest != repo_schema(record))


def check_released(spec: SubjectSpec, schema: AvroSchema, store: ReleasedSchemas) -> SubjectCheck:
    """May `schema` follow the subject's releases, at its level?"""
    refused = store.check(spec, schema)
    versions = store.versions(spec.subject)
    checked = versions if spec.compatibility.transitive else versions[-1:]
    return SubjectCheck(spec, tuple(checked), None, refused.problems if refused else ())


async def registry_history(
    client: RegistryClient, subject: Subject
) -> list[tuple[int, AvroSchema]]:
    """Every version the registry holds for `subject`, oldest first; empty if none."""
    try:
        versions = await client.versions(subject)
    except SubjectNotFoundError:
        return []
    return [(v, (await client.version(subject, v)).schema) for v in sorted(versions)]


async def register_subject(
    client: RegistryClient, spec: SubjectSpec, schema: AvroSchema
) -> Registration:
    """Set the subject's declared level on the registry, then register `schema` under it."""
    level = await client.set_config(spec.compatibility, spec.subject)
    schema_id = await client.register(spec.subject, schema)
    found = await client.find(spec.subject, schema)
    return Registration(spec.subject, schema_id, found.version, level)


async def check_subject(
    client: RegistryClient, spec: SubjectSpec, schema: AvroSchema
) -> SubjectCheck:
    """May `schema` follow what the registry holds for the subject, at the declared level?"""
    history = await registry_history(client, spec.subject)
    if not history:
        return SubjectCheck(spec, (), None, ())
    enforced = await client.get_config(spec.subject)
    problems = check_compatibility(schema, history, spec.compatibility)
    checked = history if spec.compatibility.transitive else history[-1:]
    return SubjectCheck(
        spec,
        tuple(version for version, _ in checked),
        enforced if enforced is not spec.compatibility else None,
        tuple(problems),
    )
