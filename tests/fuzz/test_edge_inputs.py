"""What department systems send, fuzzed at the edge: edXML packages (any bytes, and real
packages mutated) and the push API's JSON bodies. Each input is accepted or refused with a
reason, never a crash or a hang; an XML bomb is refused, not expanded."""

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.contract import Change, Rejected
from connectors.edxml import changes_from_edxml
from connectors.http.problems import ApiProblem
from connectors.http.requests import ChangeRequest, parse_batch, parse_change, parse_json
from lienthong.errors import DeadLetterError

pytestmark = pytest.mark.timeout(120)

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "edxml"
PACKAGES = sorted(SAMPLES.glob("*.edxml"))
GOOD = [p for p in PACKAGES if p.name in ("document_new.edxml", "status_processing.edxml")]


def _package_outcome(data: bytes) -> list[Change | Rejected]:
    """Changes and rejections with reasons, or the package refused as a whole with one."""
    try:
        found = changes_from_edxml(data, received_as="fuzz.edxml")
    except DeadLetterError as refused:
        assert refused.reason
        return []
    for item in found:
        assert isinstance(item, Change | Rejected)
        if isinstance(item, Rejected):
            assert item.reason
    return found


@given(data=st.binary(max_size=2000))
def test_any_bytes_as_an_edxml_package(data: bytes) -> None:
    _package_outcome(data)


@given(
    which=st.sampled_from(GOOD),
    seed=st.integers(0, 2**32 - 1),
    edits=st.integers(1, 12),
    mode=st.sampled_from(["flip", "cut", "insert"]),
)
def test_a_real_package_mutated(which: Path, seed: int, edits: int, mode: str) -> None:
    chooser = random.Random(seed)
    data = bytearray(which.read_bytes())
    for _ in range(edits):
        at = chooser.randrange(len(data))
        if mode == "flip":
            data[at] = chooser.randrange(256)
        elif mode == "cut":
            del data[at : at + chooser.randrange(1, 40)]
        else:
            data[at:at] = chooser.choice([b"<", b">", b"&", b"&lt;", b"\xc3", b"<x>", b'"'])
    _package_outcome(bytes(data))


def test_the_real_packages_still_parse() -> None:
    """The mutations start from packages the parser accepts whole."""
    for path in GOOD:
        assert [i for i in _package_outcome(path.read_bytes()) if isinstance(i, Change)]


def test_an_entity_expansion_bomb_is_refused() -> None:
    bomb = (SAMPLES / "billion_laughs.edxml").read_bytes()
    assert _package_outcome(bomb) == []


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=25,
)
_FIELDS = list(ChangeRequest.model_fields)


@given(body=st.binary(max_size=500))
def test_any_body_is_json_or_a_400(body: bytes) -> None:
    try:
        parse_json(body)
    except ApiProblem as problem:
        assert problem.status == 400


@given(document=_JSON)
def test_any_json_is_a_change_or_a_422_saying_why(document: Any) -> None:
    try:
        parse_change(document)
    except ApiProblem as problem:
        assert problem.status == 422


@given(values=st.dictionaries(st.sampled_from(_FIELDS), _JSON, max_size=len(_FIELDS)))
def test_changes_with_the_right_fields_and_any_values(values: dict[str, Any]) -> None:
    """Closer to a real change than any JSON: the field names the API knows."""
    for document in (values, [values, values]):
        try:
            parse_batch(document, 10) if isinstance(document, list) else parse_change(document)
        except ApiProblem as problem:
            assert problem.status == 422
            assert problem.errors or "JSON" in str(problem) or "body" in str(problem)


def test_deep_nesting_is_a_400_not_a_crash() -> None:
    with pytest.raises(ApiProblem) as refused:
        parse_json(("[" * 100_000 + "]" * 100_000).encode())
    assert refused.value.status == 400
    assert json.loads(b"[[1]]") == [[1]]
