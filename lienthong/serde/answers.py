"""The registry's JSON answers, checked: a registry, a proxy or a wrong URL may answer anything."""

from typing import Any

from lienthong.errors import SchemaError
from lienthong.serde.compat import CompatibilityLevel
from lienthong.serde.registry_errors import RegistryRequestError
from lienthong.serde.schema import AvroSchema

__all__ = ["answer_int", "answer_level", "answer_list", "answer_schema", "unexpected_answer"]


def answer_int(body: Any, key: str) -> int:
    if not isinstance(body, dict) or not isinstance(body.get(key), int):
        raise unexpected_answer(body, f"a number in {key!r}")
    value: int = body[key]
    return value


def answer_list(body: Any, what: str) -> list[Any]:
    if not isinstance(body, list):
        raise unexpected_answer(body, f"a list of {what}")
    return body


def answer_schema(body: Any, what: str) -> AvroSchema:
    if not isinstance(body, dict) or not isinstance(body.get("schema"), str):
        raise unexpected_answer(body, f"the schema of {what}")
    kind = body.get("schemaType", "AVRO")
    if kind != "AVRO":
        raise SchemaError(f"{what} is a {kind} schema; this serde reads Avro only")
    return AvroSchema.from_text(body["schema"])


def answer_level(body: Any, key: str) -> CompatibilityLevel:
    value = body.get(key) if isinstance(body, dict) else None
    if not isinstance(value, str) or value not in CompatibilityLevel.__members__:
        raise unexpected_answer(body, f"a compatibility level in {key!r}")
    return CompatibilityLevel(value)


def unexpected_answer(body: Any, wanted: str) -> RegistryRequestError:
    return RegistryRequestError(f"schema registry answered {str(body)[:200]!r}; expected {wanted}")
