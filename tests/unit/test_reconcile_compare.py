"""The merge of the two sides' ordered states finds every kind of drift, and none when equal."""

from collections.abc import Iterator

import pytest

from lienthong.reconcile import DriftKind, KeyOrderError, KeyState, compare_states


def state(key: str, version: int = 1, checksum: str | None = "same") -> KeyState:
    return KeyState(key, version, checksum)


def verdicts(source: list[KeyState], centre: list[KeyState]) -> dict[str, DriftKind | None]:
    return {c.key: c.drift for c in compare_states(source, centre)}


def test_equal_states_produce_no_drift() -> None:
    states = [state("A"), state("B", 3), state("C", 7, "other")]
    comparisons = list(compare_states(states, list(states)))
    assert [c.key for c in comparisons] == ["A", "B", "C"]
    assert all(c.drift is None for c in comparisons)


def test_each_kind_of_drift_is_found() -> None:
    source = [
        state("H-01"),
        state("H-02"),
        state("H-04", 2, "new"),
        state("H-05", 3),
        state("H-06", 1),
        state("H-07", 2, None),
        state("H-08", 4),
    ]
    centre = [
        state("H-01"),
        state("H-03", 5),
        state("H-04", 2, "corrupted"),
        state("H-05", 2),
        state("H-06", 2),
        state("H-08", 4),
    ]
    assert verdicts(source, centre) == {
        "H-01": None,
        "H-02": DriftKind.MISSING,
        "H-03": DriftKind.EXTRA,
        "H-04": DriftKind.DIFFERENT,
        "H-05": DriftKind.BEHIND,
        "H-06": DriftKind.AHEAD,
        "H-07": DriftKind.UNPUBLISHABLE,
        "H-08": None,
    }


def test_an_unreadable_centre_row_never_matches() -> None:
    assert verdicts([state("A")], [state("A", checksum=None)]) == {"A": DriftKind.DIFFERENT}


def test_one_empty_side_makes_every_key_missing_or_extra() -> None:
    keys = [state(f"K{i:03}") for i in range(5)]
    assert set(verdicts(keys, []).values()) == {DriftKind.MISSING}
    assert set(verdicts([], keys).values()) == {DriftKind.EXTRA}
    assert verdicts([], []) == {}


def test_each_comparison_carries_both_sides_states() -> None:
    (comparison,) = compare_states([state("A", 2, "x")], [state("A", 1, "y")])
    assert comparison.source == state("A", 2, "x")
    assert comparison.centre == state("A", 1, "y")
    assert comparison.drift is DriftKind.BEHIND


def test_the_merge_pulls_both_streams_lazily() -> None:
    pulled: list[str] = []

    def stream(keys: str) -> Iterator[KeyState]:
        for key in keys:
            pulled.append(key)
            yield state(key)

    comparisons = compare_states(stream("ACE"), stream("BDF"))
    first = next(comparisons)
    assert first.key == "A" and first.drift is DriftKind.MISSING
    assert pulled == ["A", "B"]


@pytest.mark.parametrize("side", ["source", "centre"])
def test_keys_out_of_order_stop_the_merge(side: str) -> None:
    unordered, ordered = [state("B"), state("A")], [state("A"), state("B")]
    pair = (unordered, ordered) if side == "source" else (ordered, unordered)
    with pytest.raises(KeyOrderError, match=f"{side} keys out of order"):
        list(compare_states(*pair))
