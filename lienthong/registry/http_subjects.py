"""`/subjects`: register, look up, list and delete the versions of a subject."""

from aiohttp import web

from lienthong.registry.avro_schemas import AVRO
from lienthong.registry.http_io import (
    context_of,
    flag,
    read_schema,
    reply,
    subject_of,
)
from lienthong.registry.reads import (
    lookup_schema,
    parse_version,
    subject_version,
    subject_versions,
)
from lienthong.registry.state import SchemaVersion
from lienthong.registry.writes import delete_subject, delete_version, register_schema
from lienthong.serde.media import REGISTRY_CONTENT_TYPE

__all__ = ["routes", "version_body"]

routes = web.RouteTableDef()


def version_body(entry: SchemaVersion) -> dict[str, object]:
    """A version as Confluent returns it; `schemaType` only when it is not Avro."""
    body: dict[str, object] = {
        "subject": entry.subject,
        "version": entry.version,
        "id": entry.schema_id,
        "schema": entry.schema,
    }
    if entry.schema_type != AVRO:
        body["schemaType"] = entry.schema_type
    return body


@routes.get("/subjects")
async def list_subjects(request: web.Request) -> web.Response:
    state = context_of(request).store.state
    prefix = request.query.get("subjectPrefix", "")
    subjects = state.subjects(deleted=flag(request, "deleted"))
    return reply([subject for subject in subjects if subject.startswith(prefix)])


@routes.get("/subjects/{subject}/versions")
async def list_versions(request: web.Request) -> web.Response:
    state = context_of(request).store.state
    versions = subject_versions(state, subject_of(request), deleted=flag(request, "deleted"))
    return reply([entry.version for entry in versions])


@routes.get("/subjects/{subject}/versions/{version}")
async def get_version(request: web.Request) -> web.Response:
    return reply(version_body(_version(request)))


@routes.get("/subjects/{subject}/versions/{version}/schema")
async def get_version_schema(request: web.Request) -> web.Response:
    """The schema text alone, unwrapped."""
    return web.Response(body=_version(request).schema.encode(), content_type=REGISTRY_CONTENT_TYPE)


@routes.get("/subjects/{subject}/versions/{version}/referencedby")
async def get_referenced_by(request: web.Request) -> web.Response:
    """Ids of schemas referencing this version: none, as references are not served."""
    _version(request)
    return reply([])


@routes.post("/subjects/{subject}/versions")
async def register(request: web.Request) -> web.Response:
    context, subject = context_of(request), subject_of(request)
    schema = await read_schema(request)
    entry = await context.store.write(
        lambda state: register_schema(state, subject, schema, context.default_level)
    )
    return reply({"id": entry.schema_id})


@routes.post("/subjects/{subject}")
async def lookup(request: web.Request) -> web.Response:
    schema = await read_schema(request)
    state = context_of(request).store.state
    found = lookup_schema(state, subject_of(request), schema, deleted=flag(request, "deleted"))
    return reply(version_body(found))


@routes.delete("/subjects/{subject}")
async def remove_subject(request: web.Request) -> web.Response:
    subject, permanent = subject_of(request), flag(request, "permanent")
    versions = await context_of(request).store.write(
        lambda state: delete_subject(state, subject, permanent=permanent)
    )
    return reply(versions)


@routes.delete("/subjects/{subject}/versions/{version}")
async def remove_version(request: web.Request) -> web.Response:
    subject, permanent = subject_of(request), flag(request, "permanent")
    version = parse_version(request.match_info["version"])
    deleted = await context_of(request).store.write(
        lambda state: delete_version(state, subject, version, permanent=permanent)
    )
    return reply(deleted)


def _version(request: web.Request) -> SchemaVersion:
    version = parse_version(request.match_info["version"])
    state = context_of(request).store.state
    return subject_version(state, subject_of(request), version, deleted=flag(request, "deleted"))
