"""Realistic activity in the land register, for demos and tests: first registrations,
transfers, area corrections, splits, merges and soft deletes.

Each `step()` is one change of the register written in one transaction. The same seed, clock
and starting database give the same activity (the `updated_at` stamps come from the database).
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Engine, func, select

from connectors.land.database import add_parcels, change_parcels, latest_parcels
from connectors.land.parcels import CENT, ParcelMaker, scaled_uses
from connectors.land.pool import ParcelPool
from connectors.land.records import ParcelRecord
from connectors.land.reshaping import merged_parcels, split_parcel
from connectors.land.tables import parcels_table
from connectors.land.vocabulary import (
    AREA_CORRECTION,
    CANCELLED,
    FIRST_REGISTRATION,
    TRANSFER_REASONS,
)
from connectors.pacing import PacedSimulator

__all__ = ["LandAction", "LandActivity", "LandSimulator"]


class LandAction(StrEnum):
    REGISTER = "register"
    TRANSFER = "transfer"
    CORRECT_AREA = "correct_area"
    SPLIT = "split"
    MERGE = "merge"
    DELETE = "delete"


_WEIGHTS = {
    LandAction.REGISTER: 30,
    LandAction.TRANSFER: 32,
    LandAction.CORRECT_AREA: 12,
    LandAction.SPLIT: 10,
    LandAction.MERGE: 8,
    LandAction.DELETE: 3,
}
_SPLITTABLE = Decimal(90)

_Written = tuple["LandAction", list["ParcelRecord"], list["ParcelRecord"]]
"""The action done, the parcels it changed or closed, the parcels it added."""


@dataclass(frozen=True, slots=True)
class LandActivity:
    action: LandAction
    written: tuple[ParcelRecord, ...]
    """Every row the change wrote, closed or changed parcels first, then new ones."""


class LandSimulator(PacedSimulator[LandActivity]):
    """Not thread-safe: one `step` at a time."""

    most_at_once = 64

    def __init__(
        self, engine: Engine, seed: int = 0, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__(engine, seed, clock=clock)
        self._pool: ParcelPool | None = None
        self._maker: ParcelMaker | None = None
        self.counts: Counter[LandAction] = Counter()

    def step(self) -> LandActivity:
        pool, maker = self._loaded()
        rng, now = self._rng, self._clock()
        action = LandAction.REGISTER
        if len(pool) >= 2 and rng.random() > 20 / (20 + len(pool)):
            action = rng.choices(list(_WEIGHTS), weights=list(_WEIGHTS.values()))[0]
        changed: list[ParcelRecord] = []
        added: list[ParcelRecord] = []
        if action is LandAction.REGISTER:
            added.append(maker.new_parcel(now, FIRST_REGISTRATION))
        else:
            action, changed, added = self._change(action, pool.pick(rng), now)
        with self._engine.begin() as conn:
            change_parcels(conn, changed)
            add_parcels(conn, added)
        for record in (*changed, *added):
            pool.discard(record.parcel_id)
            if record.is_latest and not record.deleted:
                pool.add(record)
        self.counts[action] += 1
        return LandActivity(action, (*changed, *added))

    def _change(self, action: LandAction, parcel: ParcelRecord, now: datetime) -> _Written:
        pool, maker = self._loaded()
        rng = self._rng
        dossier_no = maker.dossier_no(now)
        if action is LandAction.SPLIT and parcel.area_m2 < _SPLITTABLE:
            action = LandAction.TRANSFER
        if action is LandAction.MERGE:
            partner = pool.neighbour(rng, parcel)
            if partner is not None:
                return (action, *merged_parcels(maker, parcel, partner, now, dossier_no))
            action = LandAction.CORRECT_AREA
        if action is LandAction.SPLIT:
            return (action, *split_parcel(rng, maker, parcel, now, dossier_no))
        if action is LandAction.TRANSFER:
            certificate = parcel.certificate
            if certificate is None or rng.random() < 0.7:
                certificate = maker.certificate(now, organisation=False)
            changed = parcel.next_version(
                holders=maker.holders(),
                certificate=certificate,
                change_reason=rng.choice(TRANSFER_REASONS).text,
                dossier_no=dossier_no,
            )
        elif action is LandAction.CORRECT_AREA:
            area = (parcel.area_m2 * maker.factor(0.03)).quantize(CENT)
            changed = parcel.next_version(
                area_m2=area,
                legal_area_m2=area,
                land_uses=scaled_uses(parcel.land_uses, area),
                change_reason=AREA_CORRECTION,
                dossier_no=dossier_no,
            )
        else:
            changed = parcel.next_version(
                deleted=True, change_reason=CANCELLED, dossier_no=dossier_no
            )
        return action, [changed], []

    def _loaded(self) -> tuple[ParcelPool, ParcelMaker]:
        if self._pool is None or self._maker is None:
            sheet = (
                parcels_table.c.code_list,
                parcels_table.c.commune_code,
                parcels_table.c.map_sheet_no,
            )
            with self._engine.connect() as conn:
                highest = conn.execute(
                    select(*sheet, func.max(parcels_table.c.parcel_no)).group_by(*sheet)
                ).all()
                rows = conn.execute(select(func.count()).select_from(parcels_table)).scalar_one()
            if rows:
                # A register written before (a second run): other draws than the first run's,
                # or the new parcels would take the ids the first run gave its own.
                self._rng.seed(f"{self._seed}/{rows}")
            numbers = {(code_list, commune, no): top for code_list, commune, no, top in highest}
            self._maker = ParcelMaker(self._rng, numbers)
            self._pool = ParcelPool(latest_parcels(self._engine))
        return self._pool, self._maker
