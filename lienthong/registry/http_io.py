"""What every handler shares: the app's context, request parsing and Confluent's media type."""

import json
from dataclasses import dataclass
from typing import Final

from aiohttp import web

from lienthong.ids import Subject
from lienthong.registry.avro_schemas import AVRO, ParsedSchema, parse_schema
from lienthong.registry.compatibility import CompatibilityLevel
from lienthong.registry.errors import (
    InvalidSchemaError,
    MalformedRequestError,
    UnsupportedMediaTypeError,
)
from lienthong.registry.store import SchemaStore
from lienthong.serde.media import REGISTRY_CONTENT_TYPE

__all__ = [
    "CONTEXT",
    "RegistryContext",
    "context_of",
    "flag",
    "read_object",
    "read_schema",
    "reply",
    "subject_of",
]

_BODY_TYPES: Final = frozenset(
    # octet-stream is what a request without a Content-Type arrives as; Confluent reads it
    # as JSON too
    {
        REGISTRY_CONTENT_TYPE,
        "application/vnd.schemaregistry+json",
        "application/json",
        "application/octet-stream",
    }
)


@dataclass(frozen=True, slots=True)
class RegistryContext:
    store: SchemaStore
    default_level: CompatibilityLevel


CONTEXT: Final = web.AppKey("registry", RegistryContext)


def context_of(request: web.Request) -> RegistryContext:
    return request.app[CONTEXT]


def reply(payload: object, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(payload, ensure_ascii=False).encode(),
        status=status,
        content_type=REGISTRY_CONTENT_TYPE,
    )


def subject_of(request: web.Request) -> Subject:
    return Subject(request.match_info["subject"])


def flag(request: web.Request, name: str) -> bool:
    """A boolean query parameter: `true` in any case (Python clients send `True`)."""
    return request.query.get(name, "false").strip().lower() == "true"


async def read_object(request: web.Request) -> dict[str, object]:
    """The JSON object body, sent as Confluent's media type or plain JSON."""
    if request.body_exists and request.content_type not in _BODY_TYPES:
        raise UnsupportedMediaTypeError(f"HTTP 415 Unsupported Media Type: {request.content_type}")
    try:
        body = json.loads(await request.read() or b"{}")
    except ValueError as exc:
        raise MalformedRequestError(f"Unrecognized JSON body: {exc}") from exc
    if not isinstance(body, dict):
        raise MalformedRequestError("The request body must be a JSON object")
    return body


async def read_schema(request: web.Request) -> ParsedSchema:
    """The Avro schema of a register, lookup or compatibility request; 42201 when unusable."""
    body = await read_object(request)
    schema_type = body.get("schemaType") or AVRO
    if schema_type != AVRO:
        raise InvalidSchemaError(f"Unsupported schema type {schema_type}: only AVRO is served")
    if body.get("references"):
        raise InvalidSchemaError("Schema references are not supported by this registry")
    text = body.get("schema")
    if not isinstance(text, str) or not text.strip():
        raise InvalidSchemaError("Empty schema")
    return parse_schema(text)
