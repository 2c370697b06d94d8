"""Avro schema text in, one canonical text out: what the registry stores, compares and returns.

Two submissions of the same schema with different whitespace or key order get the same
canonical text, hence the same id, as Confluent's registry stores `canonicalString()`.
"""

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

import fastavro
from avro.errors import AvroException
from avro.schema import Schema
from avro.schema import parse as parse_avro
from fastavro.schema import SchemaParseException

from lienthong.registry.errors import InvalidSchemaError

__all__ = ["AVRO", "ParsedSchema", "parse_schema", "parse_stored_schema"]

AVRO: Final = "AVRO"
"""The only `schemaType` this registry serves; records omit it for Avro, as Confluent does."""

_TYPE_KEYS: Final = ("type", "name", "namespace", "doc", "aliases", "fields", "symbols", "items")
_FIELD_KEYS: Final = ("name", "type", "doc", "default", "order", "aliases")


@dataclass(frozen=True, slots=True)
class ParsedSchema:
    text: str
    """Canonical compact JSON: the schema's identity within the registry."""
    avro: Schema = field(compare=False, hash=False)


def parse_schema(text: str) -> ParsedSchema:
    """A schema from a request: Avro's parser, then field defaults checked; 42201 otherwise."""
    parsed = _parse(text)
    try:
        fastavro.parse_schema(json.loads(parsed.text))
    except (SchemaParseException, ValueError, TypeError, KeyError) as exc:
        raise InvalidSchemaError(f"Invalid schema {text}: {exc}") from exc
    return parsed


@lru_cache(maxsize=4096)
def parse_stored_schema(text: str) -> ParsedSchema:
    """A schema read from the topic, written by this registry or another; cached by text."""
    return _parse(text)


def _parse(text: str) -> ParsedSchema:
    try:
        schema = parse_avro(text)
    except (AvroException, ValueError, TypeError, KeyError) as exc:
        raise InvalidSchemaError(f"Invalid schema {text}: {exc}") from exc
    canonical = json.dumps(_ordered(schema.to_json()), separators=(",", ":"), ensure_ascii=False)
    return ParsedSchema(canonical, schema)


def _ordered(node: object, leading: tuple[str, ...] = _TYPE_KEYS) -> object:
    """Keys in Avro's usual order (the rest sorted), recursively; default values untouched."""
    if isinstance(node, list):
        return [_ordered(item) for item in node]
    if not isinstance(node, dict):
        return node
    keys = [key for key in leading if key in node]
    keys += sorted(key for key in node if key not in leading)
    ordered: dict[str, object] = {}
    for key in keys:
        value = node[key]
        if key == "fields" and isinstance(value, list):
            ordered[key] = [_ordered(item, _FIELD_KEYS) for item in value]
        else:
            ordered[key] = value if key == "default" else _ordered(value)
    return ordered
