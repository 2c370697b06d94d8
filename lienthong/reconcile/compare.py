"""A merge-join of the two sides' states, both ordered by dossier number, into per-key verdicts.

Pure: it consumes two iterators in step and holds one state of each, whatever their length.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from lienthong.errors import FatalError
from lienthong.reconcile.states import KeyState

__all__ = ["DriftKind", "KeyComparison", "KeyOrderError", "classify", "compare_states"]


class DriftKind(StrEnum):
    """How a dossier differs between the source and the centre, in the order reports list them."""

    MISSING = "missing_in_centre"
    EXTRA = "extra_in_centre"
    """In the centre, absent (deleted) at the source."""
    DIFFERENT = "different"
    """Same version on both sides, different content."""
    BEHIND = "centre_behind"
    AHEAD = "centre_ahead"
    """The centre holds a version the source never reached: should not happen."""
    UNPUBLISHABLE = "unpublishable_at_source"
    """The connector cannot map the source row (it dead-letters it), so no centre can match."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class KeyOrderError(FatalError):
    """A side's keys did not come out strictly ascending: a merge would report false drift."""


@dataclass(frozen=True, slots=True)
class KeyComparison:
    key: str
    source: KeyState | None
    centre: KeyState | None
    drift: DriftKind | None
    """None when both sides agree."""


def classify(source: KeyState | None, centre: KeyState | None) -> DriftKind | None:
    if source is not None and source.checksum is None:
        return DriftKind.UNPUBLISHABLE
    if centre is None:
        return DriftKind.MISSING
    if source is None:
        return DriftKind.EXTRA
    if centre.version < source.version:
        return DriftKind.BEHIND
    if centre.version > source.version:
        return DriftKind.AHEAD
    if centre.checksum != source.checksum:
        return DriftKind.DIFFERENT
    return None


def compare_states(
    source: Iterable[KeyState], centre: Iterable[KeyState]
) -> Iterator[KeyComparison]:
    """Every key of either side once, ascending, with its verdict (a full outer merge-join)."""
    sources, centres = _ascending(source, "source"), _ascending(centre, "centre")
    left, right = next(sources, None), next(centres, None)
    while left is not None or right is not None:
        at_source: KeyState | None = left
        at_centre: KeyState | None = right
        if right is None or (left is not None and left.key < right.key):
            at_centre = None
        elif left is None or right.key < left.key:
            at_source = None
        yield KeyComparison(
            _key(at_source, at_centre), at_source, at_centre, classify(at_source, at_centre)
        )
        if at_source is not None:
            left = next(sources, None)
        if at_centre is not None:
            right = next(centres, None)


def _key(source: KeyState | None, centre: KeyState | None) -> str:
    if source is not None:
        return source.key
    if centre is not None:
        return centre.key
    raise ValueError("a comparison needs a state on at least one side")


def _ascending(states: Iterable[KeyState], side: str) -> Iterator[KeyState]:
    previous: str | None = None
    for state in states:
        if previous is not None and state.key <= previous:
            raise KeyOrderError(
                f"{side} keys out of order: {state.key!r} came after {previous!r}; "
                "both databases must return dossier numbers in code-point order"
            )
        previous = state.key
        yield state
