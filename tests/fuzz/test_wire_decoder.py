"""The wire-format decoder against any bytes: a decoded record or the bus's own error (a
dead letter's reason), never another exception, never a hang; and encode-decode is the
identity on every change the model admits."""

import asyncio
import random
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lienthong.errors import SchemaError
from lienthong.events import DossierChange
from schemas import DOSSIER_CHANGE
from tests.factories import BUSINESS, CITIZEN, dossier_change
from tests.serde_support import Serde, avro_serde

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def serde() -> Serde:
    return asyncio.run(avro_serde(DOSSIER_CHANGE))


@pytest.fixture(scope="module")
def framed(serde: Serde) -> bytes:
    return serde.encode(dossier_change("HS-FUZZ-1", 3, applicant=CITIZEN).to_avro())


def _decoded_or_refused(serde: Serde, data: bytes) -> dict[str, Any] | None:
    try:
        return serde.decode(data)
    except SchemaError as refused:
        assert str(refused), "a refusal says why"
        return None


@given(data=st.binary(max_size=400))
@example(data=b"")
@example(data=b"\x00")
@example(data=b"\x00\x00\x00\x00\x01")  # the registered id, no body
def test_any_bytes_decode_or_are_refused_with_a_reason(serde: Serde, data: bytes) -> None:
    schema_id = int.from_bytes(data[1:5], "big") if len(data) >= 5 else None
    if schema_id not in (None, 1) and data[:1] == b"\x00":
        return  # an unknown schema id is resolved through the registry first (async)
    _decoded_or_refused(serde, data)


@given(seed=st.integers(0, 2**32 - 1), flips=st.integers(1, 8))
def test_a_garbled_record_is_refused_or_still_a_record(
    serde: Serde, framed: bytes, seed: int, flips: int
) -> None:
    """Bytes of a real record changed at random, e.g. a string length made huge: the
    decoder refuses it without reading past the end or allocating what the length claims."""
    chooser = random.Random(seed)
    garbled = bytearray(framed)
    for _ in range(flips):
        garbled[chooser.randrange(5, len(garbled))] = chooser.randrange(256)
    _decoded_or_refused(serde, bytes(garbled))


@given(cut=st.integers(0, 10_000))
def test_a_truncated_record_is_refused(serde: Serde, framed: bytes, cut: int) -> None:
    truncated = framed[: cut % len(framed)]
    assert _decoded_or_refused(serde, truncated) is None


_TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)


@given(
    number=_TEXT,
    version=st.integers(1, 2**62),
    business=st.booleans(),
    status=_TEXT,
    fee=st.integers(0, 10**12),
)
def test_every_valid_change_survives_encode_then_decode(
    serde: Serde, number: str, version: int, business: bool, status: str, fee: int
) -> None:
    change = dossier_change(number, 1, applicant=BUSINESS if business else CITIZEN)
    envelope = change.envelope.model_copy(update={"entity_version": version})
    after = change.after
    assert after is not None
    after = after.model_copy(update={"status": status, "fee_vnd": fee})
    change = DossierChange.model_validate(
        change.model_copy(update={"envelope": envelope, "after": after}).model_dump()
    )
    assert DossierChange.from_avro(serde.round_trip(change.to_avro())) == change
