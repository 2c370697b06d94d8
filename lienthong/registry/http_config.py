"""`/config` and `/compatibility`: the levels, and asking a level about a schema."""

from collections.abc import Callable

from aiohttp import web

from lienthong.ids import Subject
from lienthong.registry.avro_schemas import ParsedSchema
from lienthong.registry.compatibility import CompatibilityLevel, parse_level
from lienthong.registry.errors import InvalidSchemaError
from lienthong.registry.http_io import context_of, flag, read_object, read_schema, reply, subject_of
from lienthong.registry.reads import (
    compatibility_with_subject,
    compatibility_with_version,
    parse_version,
    subject_level,
)
from lienthong.registry.writes import delete_config, set_config

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/config")
async def get_global(request: web.Request) -> web.Response:
    context = context_of(request)
    level = context.store.state.config(None) or context.default_level
    return reply({"compatibilityLevel": level})


@routes.put("/config")
async def put_global(request: web.Request) -> web.Response:
    return reply({"compatibility": await _put(request, None)})


@routes.delete("/config")
async def delete_global(request: web.Request) -> web.Response:
    return reply({"compatibilityLevel": await _delete(request, None)})


@routes.get("/config/{subject}")
async def get_subject(request: web.Request) -> web.Response:
    context = context_of(request)
    level = subject_level(
        context.store.state,
        subject_of(request),
        default_to_global=flag(request, "defaultToGlobal"),
        default=context.default_level,
    )
    return reply({"compatibilityLevel": level})


@routes.put("/config/{subject}")
async def put_subject(request: web.Request) -> web.Response:
    return reply({"compatibility": await _put(request, subject_of(request))})


@routes.delete("/config/{subject}")
async def delete_subject_config(request: web.Request) -> web.Response:
    return reply({"compatibilityLevel": await _delete(request, subject_of(request))})


@routes.post("/compatibility/subjects/{subject}/versions/{version}")
async def check_against_version(request: web.Request) -> web.Response:
    """Against one live version; "latest" of a subject without versions is compatible."""
    context, subject = context_of(request), subject_of(request)
    version = parse_version(request.match_info["version"])
    return await _checked(
        request,
        lambda schema: compatibility_with_version(
            context.store.state, subject, schema, version, context.default_level
        ),
    )


@routes.post("/compatibility/subjects/{subject}/versions")
async def check_against_subject(request: web.Request) -> web.Response:
    """Against the live versions the subject's level compares a new schema with."""
    context, subject = context_of(request), subject_of(request)
    return await _checked(
        request,
        lambda schema: compatibility_with_subject(
            context.store.state, subject, schema, context.default_level
        ),
    )


async def _checked(
    request: web.Request, check: Callable[[ParsedSchema], list[str]]
) -> web.Response:
    """`{"is_compatible": ...}`, with the reasons under `messages` when `verbose=true`."""
    verbose = flag(request, "verbose")
    try:
        schema = await read_schema(request)
    except InvalidSchemaError as exc:
        if not verbose:
            raise
        return _verdict([exc.message], verbose=True)
    return _verdict(check(schema), verbose=verbose)


def _verdict(problems: list[str], *, verbose: bool) -> web.Response:
    body: dict[str, object] = {"is_compatible": not problems}
    if verbose:
        body["messages"] = problems
    return reply(body)


async def _put(request: web.Request, subject: Subject | None) -> CompatibilityLevel:
    body = await read_object(request)
    level = parse_level(body.get("compatibility") or body.get("compatibilityLevel"))
    return await context_of(request).store.write(lambda state: set_config(state, subject, level))


async def _delete(request: web.Request, subject: Subject | None) -> CompatibilityLevel:
    context = context_of(request)
    return await context.store.write(
        lambda state: delete_config(state, subject, context.default_level)
    )
