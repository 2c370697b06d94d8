"""A drifting key gets the outbox event that makes the centre right, and the connector maps
that event to the operation and version the centre needs."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from connectors.motcua import OutboxEventType, OutboxRow
from connectors.motcua.mapping import to_dossier_change
from lienthong.events import Operation
from lienthong.reconcile import DriftKind, KeyComparison, KeyState, centre_state, source_state
from lienthong.reconcile.repair_plan import PlannedEvent, dept_dossier, planned_event
from tests.unit.test_reconcile_states import DEPT, DOSSIER, SOURCE, centre_row, source_row

NOW = datetime(2026, 3, 3, tzinfo=UTC)


def comparison(kind: DriftKind, *, source: bool = True, centre: bool = True) -> KeyComparison:
    return KeyComparison(
        DEPT.dossier_no,
        source_state(source_row(), SOURCE) if source else None,
        centre_state(centre_row(version=2)) if centre else None,
        kind,
    )


def published(event: PlannedEvent) -> tuple[Operation, int, object]:
    """What the connector makes of the event once it is in the outbox."""
    row = OutboxRow(
        id=1,
        aggregate_type="dossier",
        aggregate_id=event.dossier.dossier_no,
        event_type=event.event_type.value,
        payload=event.dossier.to_payload(),
        occurred_at=NOW,
    )
    change = to_dossier_change(row, SOURCE, NOW)
    return change.envelope.operation, change.envelope.entity_version, change.after or change.before


@pytest.mark.parametrize("kind", [DriftKind.MISSING, DriftKind.DIFFERENT, DriftKind.BEHIND])
def test_a_key_the_centre_lacks_or_holds_wrong_gets_a_snapshot_of_the_row_as_it_stands(
    kind: DriftKind,
) -> None:
    now = replace(DEPT, status="processing", version=4)  # changed since it was compared
    event = planned_event(comparison(kind, centre=kind is not DriftKind.MISSING), source_row(now))
    assert event == PlannedEvent(OutboxEventType.SNAPSHOT, now)
    operation, version, dossier = published(event)
    assert (operation, version) == (Operation.SNAPSHOT, 4)
    assert dossier == DOSSIER.model_copy(update={"status": "processing"})


def test_a_key_gone_from_the_source_gets_a_delete_one_version_past_the_centre() -> None:
    event = planned_event(comparison(DriftKind.EXTRA, source=False), None)
    assert event is not None and event.event_type is OutboxEventType.DELETED
    operation, version, dossier = published(event)
    assert (operation, version) == (Operation.DELETE, 3)
    assert dossier == DOSSIER


def test_a_key_back_at_the_source_since_the_comparison_gets_a_snapshot_not_a_delete() -> None:
    event = planned_event(comparison(DriftKind.EXTRA, source=False), source_row())
    assert event == PlannedEvent(OutboxEventType.SNAPSHOT, DEPT)


def test_a_key_deleted_at_the_source_since_the_comparison_is_left_to_its_own_delete() -> None:
    assert planned_event(comparison(DriftKind.DIFFERENT), None) is None
    assert planned_event(comparison(DriftKind.MISSING, centre=False), None) is None


@pytest.mark.parametrize("kind", [DriftKind.AHEAD, DriftKind.UNPUBLISHABLE])
def test_drift_no_event_can_fix_is_not_republished(kind: DriftKind) -> None:
    assert planned_event(comparison(kind), source_row()) is None


def test_an_unreadable_centre_copy_cannot_be_deleted_by_event() -> None:
    unreadable = KeyComparison(DEPT.dossier_no, None, KeyState(DEPT.dossier_no, 2, None), None)
    assert planned_event(replace(unreadable, drift=DriftKind.EXTRA), None) is None


def test_the_department_row_of_a_bus_dossier_is_the_mapping_backwards() -> None:
    assert dept_dossier(DOSSIER, DEPT.version) == DEPT
