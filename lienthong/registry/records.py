"""The schemas topic's records, byte for byte as Confluent Schema Registry and Karapace write them.

Keys are compact JSON with a fixed property order (Karapace's "canonical" key format):

    {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}
    {"keytype":"CONFIG","subject":null,"magic":0}          (global; else the subject's name)
    {"keytype":"DELETE_SUBJECT","subject":"s","magic":0}
    {"keytype":"NOOP","magic":0}

Values: `{"subject":"s","version":1,"id":1,"schema":"...","deleted":false}` (with `schemaType`
last when not Avro), `{"compatibilityLevel":"FULL"}`, `{"subject":"s","version":3}`. A null
value is a tombstone: a hard-deleted version, or a subject's config removed.
"""

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from lienthong.ids import SchemaId, Subject
from lienthong.registry.avro_schemas import AVRO
from lienthong.registry.compatibility import CompatibilityLevel

__all__ = [
    "ConfigRecord",
    "DeleteSubjectRecord",
    "KeyType",
    "NoopRecord",
    "SchemaRecord",
    "SchemaValue",
    "StoreRecord",
    "decode_record",
    "encode_record",
]

SCHEMA_MAGIC: Final = 1
OTHER_MAGIC: Final = 0


class KeyType(StrEnum):
    SCHEMA = "SCHEMA"
    CONFIG = "CONFIG"
    DELETE_SUBJECT = "DELETE_SUBJECT"
    NOOP = "NOOP"


@dataclass(frozen=True, slots=True)
class SchemaValue:
    schema_id: SchemaId
    schema: str
    deleted: bool = False
    schema_type: str = AVRO


@dataclass(frozen=True, slots=True)
class SchemaRecord:
    subject: Subject
    version: int
    value: SchemaValue | None
    """None is a tombstone: the version is permanently deleted."""


@dataclass(frozen=True, slots=True)
class ConfigRecord:
    subject: Subject | None
    """None is the global configuration."""
    level: CompatibilityLevel | None
    """None removes the configuration."""


@dataclass(frozen=True, slots=True)
class DeleteSubjectRecord:
    """Soft-deletes every version of `subject` up to and including `version`."""

    subject: Subject
    version: int


@dataclass(frozen=True, slots=True)
class NoopRecord:
    pass


StoreRecord = SchemaRecord | ConfigRecord | DeleteSubjectRecord | NoopRecord


def encode_record(record: StoreRecord) -> tuple[bytes, bytes | None]:
    """The record's key and value bytes (value None for a tombstone)."""
    match record:
        case SchemaRecord(subject, version, value):
            key = {"keytype": KeyType.SCHEMA, "subject": subject, "version": version}
            return _json(key | {"magic": SCHEMA_MAGIC}), _schema_value(record, value)
        case ConfigRecord(subject, level):
            key = {"keytype": KeyType.CONFIG, "subject": subject, "magic": OTHER_MAGIC}
            return _json(key), None if level is None else _json({"compatibilityLevel": level})
        case DeleteSubjectRecord(subject, version):
            key = {"keytype": KeyType.DELETE_SUBJECT, "subject": subject, "magic": OTHER_MAGIC}
            return _json(key), _json({"subject": subject, "version": version})
        case NoopRecord():
            return _json({"keytype": KeyType.NOOP, "magic": OTHER_MAGIC}), None


def decode_record(key: bytes | None, value: bytes | None) -> StoreRecord | None:
    """The record, or None for what this registry does not use (modes, contexts, garbage)."""
    try:
        fields = json.loads(key) if key is not None else None
        body = json.loads(value) if value is not None else None
        if not isinstance(fields, dict) or not (body is None or isinstance(body, dict)):
            return None
        return _decode(fields, body)
    except (ValueError, TypeError, KeyError):
        return None


def _decode(key: dict[str, Any], body: dict[str, Any] | None) -> StoreRecord | None:
    keytype = key.get("keytype")
    if keytype == KeyType.SCHEMA:
        subject, version = Subject(_text(key["subject"])), _number(key["version"])
        if body is None:
            return SchemaRecord(subject, version, None)
        value = SchemaValue(
            SchemaId(_number(body["id"])),
            _text(body["schema"]),
            body.get("deleted") is True,
            _text(body.get("schemaType") or AVRO),
        )
        return SchemaRecord(subject, version, value)
    if keytype == KeyType.CONFIG:
        named = key.get("subject")
        level = (body or {}).get("compatibilityLevel")
        return ConfigRecord(
            Subject(_text(named)) if named is not None else None,
            CompatibilityLevel(level) if level is not None else None,
        )
    if keytype == KeyType.DELETE_SUBJECT and body is not None:
        return DeleteSubjectRecord(Subject(_text(key["subject"])), _number(body["version"]))
    if keytype == KeyType.NOOP:
        return NoopRecord()
    return None


def _schema_value(record: SchemaRecord, value: SchemaValue | None) -> bytes | None:
    if value is None:
        return None
    body: dict[str, object] = {
        "subject": record.subject,
        "version": record.version,
        "id": value.schema_id,
        "schema": value.schema,
        "deleted": value.deleted,
    }
    if value.schema_type != AVRO:
        body["schemaType"] = value.schema_type
    return _json(body)


def _json(document: dict[str, object]) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _number(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {value!r}")
    return value
