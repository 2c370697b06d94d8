"""The parcels in force, for the simulator to pick from: at random, or on one map sheet."""

from collections.abc import Iterable
from random import Random

from connectors.land.records import ParcelRecord

__all__ = ["ParcelPool"]

Sheet = tuple[str, str, int]
"""Code list, commune code, map sheet: a reused commune code names another commune."""


class ParcelPool:
    """O(1) add, remove and uniform pick, in an order a seed reproduces."""

    def __init__(self, records: Iterable[ParcelRecord] = ()) -> None:
        self._records: dict[str, ParcelRecord] = {}
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._sheets: dict[Sheet, set[str]] = {}
        for record in records:
            self.add(record)

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, record: ParcelRecord) -> None:
        self.discard(record.parcel_id)
        self._records[record.parcel_id] = record
        self._index[record.parcel_id] = len(self._ids)
        self._ids.append(record.parcel_id)
        self._sheets.setdefault(_sheet(record), set()).add(record.parcel_id)

    def discard(self, parcel_id: str) -> None:
        record = self._records.pop(parcel_id, None)
        if record is None:
            return
        position = self._index.pop(parcel_id)
        last = self._ids.pop()
        if last != parcel_id:
            self._ids[position] = last
            self._index[last] = position
        self._sheets[_sheet(record)].discard(parcel_id)

    def pick(self, rng: Random) -> ParcelRecord:
        return self._records[self._ids[rng.randrange(len(self._ids))]]

    def neighbour(self, rng: Random, record: ParcelRecord) -> ParcelRecord | None:
        """Another parcel in force on the same map sheet, if there is one."""
        others = sorted(self._sheets[_sheet(record)] - {record.parcel_id})
        return self._records[rng.choice(others)] if others else None


def _sheet(record: ParcelRecord) -> Sheet:
    return record.code_list.value, record.commune_code, record.map_sheet_no
