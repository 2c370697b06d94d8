"""A dossier's life in the one-stop-shop: which action is valid in which status, and its effect.

    new ─accept─▶ receiving ─process─▶ processing ─resolve─▶ done | denied ─return─▶ returned
     │                │                   ▲    │
     │                │       supplement  │    │ request_supplement
     │                │                   │    ▼
     ├─delete         └────cancel───── waiting_supplement ─cancel─▶ cancelled
     └─cancel─▶ cancelled

A dossier submitted at the counter is created directly in `receiving`. `returned` and
`cancelled` are final; a deleted dossier (entered by mistake) is gone.
"""

from dataclasses import replace
from datetime import datetime, time, timedelta
from enum import StrEnum

from connectors.motcua.department import PROVINCE_TIME, DeptDossier, DeptStep, as_utc

__all__ = [
    "ALLOWED_FROM",
    "FINAL_STATUSES",
    "Action",
    "InvalidTransitionError",
    "Status",
    "add_working_days",
    "advance",
]


class Status(StrEnum):
    NEW = "new"
    RECEIVING = "receiving"
    PROCESSING = "processing"
    WAITING_SUPPLEMENT = "waiting_supplement"
    DONE = "done"
    DENIED = "denied"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class Action(StrEnum):
    RECEIVE = "receive"
    ACCEPT = "accept"
    PROCESS = "process"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT = "supplement"
    RESOLVE = "resolve"
    RETURN = "return_result"
    CANCEL = "cancel"
    DELETE = "delete"


ALLOWED_FROM: dict[Action, frozenset[Status]] = {
    Action.ACCEPT: frozenset({Status.NEW}),
    Action.PROCESS: frozenset({Status.RECEIVING, Status.PROCESSING}),
    Action.REQUEST_SUPPLEMENT: frozenset({Status.PROCESSING}),
    Action.SUPPLEMENT: frozenset({Status.WAITING_SUPPLEMENT}),
    Action.RESOLVE: frozenset({Status.PROCESSING}),
    Action.RETURN: frozenset({Status.DONE, Status.DENIED}),
    Action.CANCEL: frozenset({Status.NEW, Status.RECEIVING, Status.WAITING_SUPPLEMENT}),
    Action.DELETE: frozenset({Status.NEW}),
}
FINAL_STATUSES = frozenset({Status.RETURNED, Status.CANCELLED})

_CLOSING_TIME = time(17, 0)


class InvalidTransitionError(ValueError):
    pass


def add_working_days(start: datetime, days: int) -> datetime:
    """Closing time of the `days`-th working day (Monday to Friday) after `start`, in UTC.

    Public holidays are not modelled.
    """
    day = as_utc(start).astimezone(PROVINCE_TIME).date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return as_utc(datetime.combine(day, _CLOSING_TIME, PROVINCE_TIME))


def advance(
    dossier: DeptDossier,
    action: Action,
    step: DeptStep,
    *,
    working_days: int,
    approved: bool = True,
) -> DeptDossier:
    """The dossier after `action`, one version later, with `step` appended."""
    if action not in ALLOWED_FROM or dossier.status not in ALLOWED_FROM[action]:
        raise InvalidTransitionError(
            f"cannot {action} dossier {dossier.dossier_no} in {dossier.status}"
        )
    at = step.at
    changed: DeptDossier
    match action:
        case Action.ACCEPT:
            changed = replace(
                dossier,
                status=Status.RECEIVING,
                received_at=at,
                due_at=add_working_days(at, working_days),
            )
        case Action.PROCESS:
            changed = replace(dossier, status=Status.PROCESSING)
        case Action.REQUEST_SUPPLEMENT:
            changed = replace(dossier, status=Status.WAITING_SUPPLEMENT)
        case Action.SUPPLEMENT:
            # The processing time starts again once the missing papers arrive.
            changed = replace(
                dossier,
                status=Status.PROCESSING,
                extended_due_at=add_working_days(at, working_days),
            )
        case Action.RESOLVE:
            changed = replace(
                dossier, status=Status.DONE if approved else Status.DENIED, finished_at=at
            )
        case Action.RETURN:
            changed = replace(dossier, status=Status.RETURNED, returned_at=at)
        case Action.CANCEL:
            changed = replace(dossier, status=Status.CANCELLED, cancelled_at=at)
        case _:
            raise InvalidTransitionError(f"{action} does not change a stored dossier")
    return replace(changed, steps=(*dossier.steps, step), version=dossier.version + 1)
