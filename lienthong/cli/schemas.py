"""`lienthong schemas …`: the repository's Avro schemas, their releases, and the registry.

NAME is a subject (`motcua.dossiers-value`) or a top-level record's full name
(`vn.lienthong.motcua.DossierChange`), as declared in `schemas/subjects.json`. The registry
is the one at LIENTHONG_REGISTRY__URL.
"""

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from lienthong.cli.errors import exit_on_error
from lienthong.serde import RegistryClient, ReleasedSchemas, diff_schemas, load_catalog, repo_schema
from lienthong.serde.governance import (
    SubjectCheck,
    check_released,
    check_subject,
    record_status,
    register_subject,
)
from lienthong.settings import Settings
from schemas import TOP_LEVEL

__all__ = ["schemas_app"]

T = TypeVar("T")

schemas_app = typer.Typer(
    help="Avro schemas: list, show, diff and release them; register or check them on the registry.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]
Names = Annotated[list[str] | None, typer.Argument(help="Subjects or record names; all if none.")]
Name = Annotated[str, typer.Argument(help="A subject or a top-level record's full name.")]


@schemas_app.command("list")
def list_schemas(
    registry: Annotated[bool, typer.Option(help="Also list the registry's subjects.")] = False,
    json_output: JsonOption = False,
) -> None:
    """The top-level records with their subjects and releases; with --registry, its subjects."""
    with exit_on_error():
        catalog, store = load_catalog(), ReleasedSchemas()
        by_record = {spec.record: spec for spec in catalog}
        local = [record_status(record, by_record.get(record), store) for record in TOP_LEVEL]
        remote = _with_registry(_registry_subjects) if registry else []
    rows = [
        {
            "record": s.record,
            "subject": s.spec.subject if s.spec else None,
            "compatibility": s.spec.compatibility.value if s.spec else None,
            "released": list(s.released),
            "state": s.state,
        }
        for s in local
    ]
    lines = [
        f"{s.record}  {s.spec.subject if s.spec else '-'}  "
        f"{s.spec.compatibility if s.spec else '-'}  "
        f"released: {_versions(s.released)}  ({s.state})"
        for s in local
    ] + [f"registry: {subject}  versions: {_versions(versions)}" for subject, versions in remote]
    registry_rows = [{"subject": s, "versions": v} for s, v in remote] if registry else None
    _emit(json_output, {"local": rows, "registry": registry_rows}, lines)


@schemas_app.command()
def show(
    name: Name,
    version: Annotated[
        int | None, typer.Option(help="A released version; with --registry, a registry version.")
    ] = None,
    registry: Annotated[bool, typer.Option(help="Show the registry's version.")] = False,
    json_output: JsonOption = False,
) -> None:
    """A schema, fully resolved: the repository's, a released version, or the registry's."""
    with exit_on_error():
        spec = load_catalog().find(name)
        schema_id = None
        if registry:
            found = _with_registry(lambda c: c.version(spec.subject, version or "latest"))
            schema, source, schema_id = found.schema, f"registry v{found.version}", found.schema_id
        elif version is not None:
            schema, source = ReleasedSchemas().read(spec.subject, version).schema, f"v{version}"
        else:
            schema, source = repo_schema(spec.record), "repository"
    payload = {"subject": spec.subject, "source": source, "id": schema_id, "schema": schema.json}
    _emit(json_output, payload, [json.dumps(schema.json, indent=2, ensure_ascii=False)])


@schemas_app.command()
def register(names: Names = None, json_output: JsonOption = False) -> None:
    """Register the repository's schemas under their subjects, at their declared levels."""
    with exit_on_error():
        specs = load_catalog().select(names or [])
        done = _with_registry(
            lambda c: _each(specs, lambda s: register_subject(c, s, repo_schema(s.record)))
        )
    rows = [
        {"subject": r.subject, "id": r.schema_id, "version": r.version, "level": r.compatibility}
        for r in done
    ]
    lines = [f"{r['subject']}: id {r['id']}, version {r['version']}, {r['level']}" for r in rows]
    _emit(json_output, rows, lines)


@schemas_app.command()
def check(
    names: Names = None,
    released: Annotated[
        bool, typer.Option("--released", help="Check against schemas/released/, not the registry.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """May the repository's schemas follow the registry's versions (or the released ones)?

    Exits 1 when one may not, with each problem's field and rule.
    """
    with exit_on_error():
        specs = load_catalog().select(names or [])
        if released:
            store = ReleasedSchemas()
            checks = [check_released(s, repo_schema(s.record), store) for s in specs]
        else:
            checks = _with_registry(
                lambda c: _each(specs, lambda s: check_subject(c, s, repo_schema(s.record)))
            )
    against = "released" if released else "registry"
    _emit(json_output, [_check_row(c) for c in checks], _check_lines(checks, against))
    if not all(c.compatible for c in checks):
        raise typer.Exit(code=1)


@schemas_app.command()
def diff(
    name: Name,
    from_version: Annotated[
        int | None, typer.Option("--from", help="Released version to start from.")
    ] = None,
    to_version: Annotated[
        int | None, typer.Option("--to", help="Released version to end at.")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Fields added, removed or changed between two versions of a schema.

    From the registry's latest (or released --from vN) to the repository's (or released --to vM).
    """
    with exit_on_error():
        spec = load_catalog().find(name)
        store = ReleasedSchemas()
        if from_version is None:
            found = _with_registry(lambda c: c.latest(spec.subject))
            old, old_label = found.schema, f"registry v{found.version}"
        else:
            old, old_label = store.read(spec.subject, from_version).schema, f"v{from_version}"
        if to_version is None:
            new, new_label = repo_schema(spec.record), "repository"
        else:
            new, new_label = store.read(spec.subject, to_version).schema, f"v{to_version}"
        changes = diff_schemas(old, new)
    payload = {
        "subject": spec.subject,
        "from": old_label,
        "to": new_label,
        "changes": [
            {"field": c.field, "change": c.kind, "old": c.old, "new": c.new} for c in changes
        ],
    }
    head = f"{spec.subject}: {old_label} → {new_label}: {len(changes) or 'no'} changes"
    _emit(json_output, payload, [head] + [f"  {c.describe()}" for c in changes])


@schemas_app.command()
def release(names: Names = None, json_output: JsonOption = False) -> None:
    """Write each subject's next schemas/released/<subject>/vN.avsc, if compatible.

    Refuses (exit 1) a schema that breaks the subject's level against earlier releases.
    """
    with exit_on_error():
        store = ReleasedSchemas()
        specs = load_catalog().select(names or [])
        done = [store.release(spec, repo_schema(spec.record)) for spec in specs]
    rows = [
        {"subject": r.subject, "version": r.version, "path": _shown(r.path), "created": r.created}
        for r in done
    ]
    lines = [
        f"{r['subject']}: v{r['version']} {'released' if r['created'] else 'unchanged'} "
        f"({r['path']})"
        for r in rows
    ]
    _emit(json_output, rows, lines)


def _check_row(c: SubjectCheck) -> dict[str, Any]:
    return {
        "subject": c.spec.subject,
        "compatibility": c.spec.compatibility,
        "versions": list(c.versions),
        "registry_level": c.registry_level,
        "compatible": c.compatible,
        "problems": [p.explain() for p in c.problems],
    }


def _check_lines(checks: Sequence[SubjectCheck], against: str) -> list[str]:
    lines = []
    for c in checks:
        verdict = "compatible" if c.compatible else "INCOMPATIBLE"
        level, versions = c.spec.compatibility, _versions(c.versions) or "nothing yet"
        lines.append(f"{c.spec.subject} ({level}): {verdict} with {against} {versions}")
        lines += [f"  - {problem.explain()}" for problem in c.problems]
        if c.registry_level is not None:
            lines.append(
                f"  ! the registry enforces {c.registry_level} on this subject, not {level}: "
                "`lienthong schemas register` sets the declared level"
            )
    return lines


def _shown(path: Path) -> str:
    """`path` relative to the working directory when it is under it, as a user would type it."""
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def _versions(versions: Sequence[int]) -> str:
    return ", ".join(f"v{v}" for v in versions) or "-"


def _emit(json_output: bool, payload: Any, lines: Sequence[str]) -> None:
    if json_output:
        typer.echo(json.dumps(payload, ensure_ascii=False))
    else:
        for line in lines:
            typer.echo(line)


async def _registry_subjects(client: RegistryClient) -> list[tuple[str, list[int]]]:
    return [(s, await client.versions(s)) for s in sorted(await client.subjects())]


async def _each(items: Sequence[Any], work: Callable[[Any], Awaitable[T]]) -> list[T]:
    return [await work(item) for item in items]


def _with_registry(work: Callable[[RegistryClient], Awaitable[T]]) -> T:
    async def main() -> T:
        async with RegistryClient.from_settings(Settings().registry) as client:
            return await work(client)

    return asyncio.run(main())
