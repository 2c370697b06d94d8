"""Realistic one-stop-shop activity in the department's database, for demos and tests.

Each `step()` is one valid action on one dossier (see `lifecycle.py`), written with its outbox
row in one transaction. The same seed, clock and starting database give the same activity.
"""

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from connectors.motcua.applicants import person_name
from connectors.motcua.department import DeptDossier, DeptStep, OutboxEventType, as_utc
from connectors.motcua.lifecycle import FINAL_STATUSES, Action, Status, advance
from connectors.motcua.simulated_steps import DossierPool, new_dossier, step_note
from connectors.motcua.source_db import write_change
from connectors.motcua.source_tables import dossiers_table, outbox_table
from connectors.motcua.vocabulary import AGENCIES, PROCEDURES
from connectors.pacing import PacedSimulator

__all__ = ["Activity", "Simulator"]

_WEIGHTS = {
    Action.ACCEPT: 12,
    Action.PROCESS: 22,
    Action.REQUEST_SUPPLEMENT: 4,
    Action.SUPPLEMENT: 5,
    Action.RESOLVE: 14,
    Action.RETURN: 12,
    Action.CANCEL: 2,
    Action.DELETE: 1,
}
_PROCEDURES = {procedure.code: procedure for procedure in PROCEDURES}


@dataclass(frozen=True, slots=True)
class Activity:
    action: Action
    dossier_no: str
    status: str | None
    """Status after the action; None once deleted."""
    version: int
    outbox_id: int


class Simulator(PacedSimulator[Activity]):
    """Drives dossiers through their life. Not thread-safe: one `step` at a time."""

    most_at_once = 256

    def __init__(
        self, engine: Engine, seed: int = 0, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__(engine, seed, clock=clock)
        self._officers = tuple(person_name(self._rng)[0] for _ in range(12))
        self._pool: DossierPool | None = None
        self._created = 0
        self.counts: Counter[Action] = Counter()
        self.last_activity: Activity | None = None

    def step(self) -> Activity:
        pool = self._loaded_pool()
        rng, now = self._rng, as_utc(self._clock())
        action, dossier = pool.choose(rng, _WEIGHTS, receive_weight=20 if len(pool) < 500 else 4)
        correlation_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if dossier is None:
            self._created += 1
            officer = rng.choice(self._officers)
            event_type = OutboxEventType.CREATED
            dossier = new_dossier(rng, now, self._created, officer)
        elif action is Action.DELETE:
            event_type = OutboxEventType.DELETED
        else:
            procedure = _PROCEDURES[dossier.procedure_code]
            approved = rng.random() < 0.88
            unit, note = step_note(rng, action, dossier, AGENCIES[procedure.agency].unit, approved)
            step = DeptStep(now, action.value, rng.choice(self._officers), unit, note)
            event_type = OutboxEventType.UPDATED
            dossier = advance(
                dossier, action, step, working_days=procedure.working_days, approved=approved
            )
        outbox_id = write_change(
            self._engine, event_type, dossier, occurred_at=now, correlation_id=correlation_id
        )
        pool.discard(dossier.dossier_no)
        if event_type is not OutboxEventType.DELETED and dossier.status not in FINAL_STATUSES:
            pool.add(dossier)
        self.counts[action] += 1
        status = None if event_type is OutboxEventType.DELETED else dossier.status
        self.last_activity = Activity(
            action, dossier.dossier_no, status, dossier.version, outbox_id
        )
        return self.last_activity

    def _loaded_pool(self) -> DossierPool:
        if self._pool is None:
            open_statuses = [s.value for s in Status if s not in FINAL_STATUSES]
            with self._engine.connect() as conn:
                rows = conn.execute(
                    select(dossiers_table)
                    .where(dossiers_table.c.status.in_(open_statuses))
                    .order_by(dossiers_table.c.dossier_no)
                ).mappings()
                self._pool = DossierPool(DeptDossier.from_row(row) for row in rows)
                self._created = conn.execute(
                    select(func.count())
                    .select_from(outbox_table)
                    .where(outbox_table.c.event_type == OutboxEventType.CREATED.value)
                ).scalar_one()
        return self._pool
