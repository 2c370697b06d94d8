"""`lienthong topics tail` output: decoded events readable, Vietnamese text as it is, and
what does not decode says why; the registry is in memory."""

import json
from datetime import UTC, datetime

from lienthong.cli.tail_format import record_json, record_lines
from lienthong.events import Operation
from lienthong.ids import TopicName
from lienthong.observe.decoding import DecodedEvent, Undecodable, ValueDecoder
from lienthong.observe.tail import TailedRecord
from lienthong.serde import AvroSerializer, InMemoryRegistry, repo_schema
from schemas import DOSSIER_CHANGE
from tests.factories import CITIZEN, dossier_change

AT = datetime(2025, 7, 1, 8, 0, tzinfo=UTC)


def tailed(value: bytes | None, key: bytes | None = b"HS-001") -> TailedRecord:
    headers = (("lienthong.schema", DOSSIER_CHANGE.encode()),)
    return TailedRecord("motcua.dossiers", 2, 41, AT, key, headers, value)


async def framed_change() -> tuple[ValueDecoder, bytes]:
    registry = InMemoryRegistry()
    serializer = AvroSerializer(registry, repo_schema(DOSSIER_CHANGE))
    await serializer.prepare(TopicName("motcua.dossiers"))
    change = dossier_change("HS-001", 3, Operation.UPDATE)
    return ValueDecoder(registry), serializer.encode(change.to_avro())


async def test_a_decoded_event_shows_its_envelope_then_its_payload() -> None:
    decoder, value = await framed_change()
    reading = await decoder.decode(value)
    assert isinstance(reading, DecodedEvent)
    assert reading.schema == DOSSIER_CHANGE
    assert reading.envelope is not None
    assert (reading.envelope.operation, reading.envelope.entity_version) == ("UPDATE", 3)
    assert reading.envelope.agency == "000.00.00.H41"

    text = "\n".join(record_lines(tailed(value), reading))
    assert text.startswith("motcua.dossiers[2]@41  2025-07-01T08:00:00+00:00  key=HS-001")
    assert f"header   lienthong.schema={DOSSIER_CHANGE}" in text
    assert "entity   HS-001 version 3" in text
    assert f'"name": "{CITIZEN.name}"' in text
    document = record_json(tailed(value), reading)
    assert document["payload"]["after"]["applicant"]["name"] == CITIZEN.name
    occurred = reading.envelope.occurred_at
    assert occurred is not None and document["envelope"]["occurred_at"] == occurred.isoformat()
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document


async def test_a_value_that_does_not_decode_says_why_and_its_length() -> None:
    decoder, _ = await framed_change()
    reading = await decoder.decode(b"plain text")
    assert isinstance(reading, Undecodable)
    assert reading.length == 10 and "magic byte" in reading.reason
    (_, line) = record_lines(tailed(b"plain text"), reading)[1:]
    assert line.startswith("  value    10 bytes, not decoded: wrong magic byte")
    assert record_json(tailed(b"plain text"), reading)["undecodable"] == reading.reason


def test_a_tombstone_is_shown_as_such() -> None:
    lines = record_lines(tailed(None), None)
    assert lines[-1] == "  value    tombstone (the key's entity is deleted)"
    document = record_json(tailed(None, key=None), None)
    assert (document["tombstone"], document["key"], document["value_length"]) == (True, None, None)


def test_without_decoding_the_value_is_previewed() -> None:
    assert record_lines(tailed(b"h\xe1\xbb\x93 s\xc6\xa1"), None)[-1] == "  value    8 bytes: hồ sơ"
    assert record_json(tailed(b"abc"), None)["value_preview"] == "abc"
