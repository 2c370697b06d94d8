"""The report keeps counts and the first keys of each kind, and says what is left unrepaired."""

import json

from connectors.motcua import OutboxEventType
from lienthong.reconcile import (
    DriftKind,
    KeyComparison,
    KeyState,
    ReconcileReport,
    RepairReport,
    Republished,
    report_json,
    summary_lines,
)


def compared(
    key: str, kind: DriftKind | None, source: int | None, centre: int | None
) -> KeyComparison:
    return KeyComparison(
        key,
        None if source is None else KeyState(key, source, "s"),
        None if centre is None else KeyState(key, centre, "c"),
        kind,
    )


def sample_report(sample_limit: int = 2) -> ReconcileReport:
    report = ReconcileReport("sqlite:///source.db", "sqlite:///centre.db", sample_limit)
    for comparison in [
        compared("A", None, 1, 1),
        compared("B", DriftKind.MISSING, 2, None),
        compared("C", DriftKind.MISSING, 1, None),
        compared("D", DriftKind.MISSING, 5, None),
        compared("E", DriftKind.EXTRA, None, 3),
        compared("F", DriftKind.AHEAD, 1, 2),
    ]:
        report.add(comparison)
    return report


def test_counts_per_side_and_per_kind_with_the_first_keys_only() -> None:
    report = sample_report()
    assert (report.source_dossiers, report.centre_dossiers, report.matching) == (5, 3, 1)
    assert report.drift == {DriftKind.MISSING: 3, DriftKind.EXTRA: 1, DriftKind.AHEAD: 1}
    assert [s.key for s in report.samples[DriftKind.MISSING]] == ["B", "C"]
    assert not report.in_sync and report.unrepaired == 5


def test_after_a_repair_only_what_no_event_can_fix_is_unrepaired() -> None:
    report = sample_report()
    report.repair = RepairReport("corr", sample_limit=1)
    report.repair.add(Republished(41, "B", OutboxEventType.SNAPSHOT, 2))
    report.repair.add(Republished(42, "E", OutboxEventType.DELETED, 3))
    assert report.unrepaired == 1  # the centre is ahead of the source for F
    assert (report.repair.total, report.repair.first_id, report.repair.last_id) == (2, 41, 42)
    assert [r.key for r in report.repair.first] == ["B"]


def test_the_summary_reads_as_counts_then_keys_with_their_versions() -> None:
    report = sample_report()
    report.repair = RepairReport("corr", sample_limit=5)
    report.repair.add(Republished(41, "B", OutboxEventType.SNAPSHOT, 2))
    lines = summary_lines(report)
    assert lines[:3] == [
        "source          5 dossiers  sqlite:///source.db",
        "centre          3 dossiers  sqlite:///centre.db",
        "matching        1",
    ]
    assert "missing in centre: 3" in lines
    assert "  B  source v2" in lines and "  …" in lines
    assert "  E  centre v3" in lines and "  F  source v1  centre v2" in lines
    assert "drift: 5 dossiers (missing in centre 3, extra in centre 1, centre ahead 1)" in lines
    assert "  outbox 41  snapshot  B  v2" in lines


def test_a_clean_report_says_in_sync() -> None:
    report = ReconcileReport("s", "c", 10)
    report.add(compared("A", None, 1, 1))
    assert summary_lines(report)[-1] == "in sync"
    assert report.in_sync and report.unrepaired == 0


def test_the_json_report_lists_every_kind_with_count_and_first_keys() -> None:
    document = json.loads(json.dumps(report_json(sample_report())))
    assert document["in_sync"] is False
    assert document["source"] == {"database": "sqlite:///source.db", "dossiers": 5}
    assert set(document["drift"]) == {kind.value for kind in DriftKind}
    assert document["drift"]["missing_in_centre"]["count"] == 3
    assert document["drift"]["extra_in_centre"]["first"] == [
        {"key": "E", "source_version": None, "centre_version": 3, "problem": None}
    ]
    assert document["drift"]["different"] == {"count": 0, "first": []}
    assert document["unrepaired"] == 5 and document["repair"] is None
