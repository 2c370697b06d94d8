"""The schemas topic's records are byte for byte what Confluent and Karapace write and read."""

import pytest

from lienthong.ids import SchemaId, Subject
from lienthong.registry.compatibility import CompatibilityLevel
from lienthong.registry.records import (
    ConfigRecord,
    DeleteSubjectRecord,
    NoopRecord,
    SchemaRecord,
    SchemaValue,
    StoreRecord,
    decode_record,
    encode_record,
)

S = Subject("motcua.dossiers-value")
SCHEMA = '{"type":"record","name":"A","fields":[{"name":"a","type":"int"}]}'

ENCODED: list[tuple[StoreRecord, bytes, bytes | None]] = [
    (
        SchemaRecord(S, 1, SchemaValue(SchemaId(7), SCHEMA)),
        b'{"keytype":"SCHEMA","subject":"motcua.dossiers-value","version":1,"magic":1}',
        b'{"subject":"motcua.dossiers-value","version":1,"id":7,"schema":'
        b'"{\\"type\\":\\"record\\",\\"name\\":\\"A\\",\\"fields\\":[{\\"name\\":\\"a\\",'
        b'\\"type\\":\\"int\\"}]}","deleted":false}',
    ),
    (
        SchemaRecord(S, 2, SchemaValue(SchemaId(8), '"string"', deleted=True)),
        b'{"keytype":"SCHEMA","subject":"motcua.dossiers-value","version":2,"magic":1}',
        b'{"subject":"motcua.dossiers-value","version":2,"id":8,"schema":"\\"string\\"",'
        b'"deleted":true}',
    ),
    (
        SchemaRecord(S, 2, None),
        b'{"keytype":"SCHEMA","subject":"motcua.dossiers-value","version":2,"magic":1}',
        None,
    ),
    (
        ConfigRecord(None, CompatibilityLevel.FULL),
        b'{"keytype":"CONFIG","subject":null,"magic":0}',
        b'{"compatibilityLevel":"FULL"}',
    ),
    (
        ConfigRecord(S, CompatibilityLevel.BACKWARD_TRANSITIVE),
        b'{"keytype":"CONFIG","subject":"motcua.dossiers-value","magic":0}',
        b'{"compatibilityLevel":"BACKWARD_TRANSITIVE"}',
    ),
    (
        ConfigRecord(S, None),
        b'{"keytype":"CONFIG","subject":"motcua.dossiers-value","magic":0}',
        None,
    ),
    (
        DeleteSubjectRecord(S, 3),
        b'{"keytype":"DELETE_SUBJECT","subject":"motcua.dossiers-value","magic":0}',
        b'{"subject":"motcua.dossiers-value","version":3}',
    ),
    (NoopRecord(), b'{"keytype":"NOOP","magic":0}', None),
]


@pytest.mark.parametrize(("record", "key", "value"), ENCODED)
def test_records_encode_to_confluents_exact_json(
    record: StoreRecord, key: bytes, value: bytes | None
) -> None:
    assert encode_record(record) == (key, value)


@pytest.mark.parametrize(("record", "key", "value"), ENCODED)
def test_records_decode_back(record: StoreRecord, key: bytes, value: bytes | None) -> None:
    assert decode_record(key, value) == record


def test_non_avro_schemas_carry_their_type_last() -> None:
    record = SchemaRecord(S, 1, SchemaValue(SchemaId(1), "{}", schema_type="JSON"))
    _, value = encode_record(record)
    assert value is not None and value.endswith(b'"deleted":false,"schemaType":"JSON"}')
    assert decode_record(*encode_record(record)) == record


def test_subjects_outside_ascii_are_written_as_utf8_like_jackson() -> None:
    key, _ = encode_record(ConfigRecord(Subject("hồ-sơ"), CompatibilityLevel.NONE))
    assert key == '{"keytype":"CONFIG","subject":"hồ-sơ","magic":0}'.encode()


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        # Karapace's older key layout: any property order is read.
        (
            b'{"subject":"s","magic":1,"keytype":"SCHEMA","version":4}',
            b'{"deleted": false, "id": 2, "schema": "\\"int\\"", "subject": "s", "version": 4}',
            SchemaRecord(Subject("s"), 4, SchemaValue(SchemaId(2), '"int"')),
        ),
        # Confluent omits a null subject for the global config, and may add fields.
        (
            b'{"keytype":"CONFIG","magic":0}',
            b'{"compatibilityLevel":"FORWARD","normalize":true}',
            ConfigRecord(None, CompatibilityLevel.FORWARD),
        ),
        # Confluent's schema values may name their type and carry extra fields.
        (
            b'{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}',
            b'{"subject":"s","version":1,"id":3,"schemaType":"AVRO","references":[],'
            b'"schema":"\\"long\\"","deleted":false}',
            SchemaRecord(Subject("s"), 1, SchemaValue(SchemaId(3), '"long"')),
        ),
    ],
)
def test_other_writers_layouts_are_read(key: bytes, value: bytes, expected: StoreRecord) -> None:
    assert decode_record(key, value) == expected


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (b'{"keytype":"MODE","subject":null,"magic":0}', b'{"mode":"READWRITE"}'),
        (b'{"keytype":"CONTEXT","tenant":"t","context":"c","magic":0}', b"{}"),
        (b"not json", b"{}"),
        (None, b"{}"),
        (b'{"keytype":"SCHEMA","subject":"s","version":"1","magic":1}', None),
        (b'{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', b'{"id":1}'),
        (b'{"keytype":"CONFIG","magic":0}', b'{"compatibilityLevel":"SOMETIMES"}'),
        (b'{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}', None),
    ],
)
def test_what_this_registry_does_not_use_is_skipped(key: bytes | None, value: bytes | None) -> None:
    assert decode_record(key, value) is None
