"""`/schemas`: a schema by its global id, where it is used, and the types served."""

from aiohttp import web

from lienthong.ids import SchemaId
from lienthong.registry.avro_schemas import AVRO
from lienthong.registry.errors import SchemaNotFoundError
from lienthong.registry.http_io import context_of, flag, reply
from lienthong.registry.reads import find_schema, schema_usages
from lienthong.serde.media import REGISTRY_CONTENT_TYPE

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/schemas/types")
async def schema_types(request: web.Request) -> web.Response:
    return reply([AVRO])


@routes.get("/schemas/ids/{id}")
async def get_schema(request: web.Request) -> web.Response:
    text, schema_type = find_schema(context_of(request).store.state, _schema_id(request))
    body: dict[str, object] = {"schema": text}
    if schema_type != AVRO:
        body["schemaType"] = schema_type
    return reply(body)


@routes.get("/schemas/ids/{id}/schema")
async def get_raw_schema(request: web.Request) -> web.Response:
    """The schema text alone, as Confluent serves it."""
    text, _ = find_schema(context_of(request).store.state, _schema_id(request))
    return web.Response(body=text.encode(), content_type=REGISTRY_CONTENT_TYPE)


@routes.get("/schemas/ids/{id}/versions")
async def schema_versions(request: web.Request) -> web.Response:
    state = context_of(request).store.state
    usages = schema_usages(state, _schema_id(request), deleted=flag(request, "deleted"))
    return reply([{"subject": entry.subject, "version": entry.version} for entry in usages])


@routes.get("/schemas/ids/{id}/subjects")
async def schema_subjects(request: web.Request) -> web.Response:
    state = context_of(request).store.state
    usages = schema_usages(state, _schema_id(request), deleted=flag(request, "deleted"))
    return reply(sorted({entry.subject for entry in usages}))


def _schema_id(request: web.Request) -> SchemaId:
    try:
        return SchemaId(int(request.match_info["id"]))
    except ValueError:
        raise SchemaNotFoundError() from None
