"""A reconciliation report as lines for people and as one JSON document for machines. Pure."""

from collections.abc import Iterable
from typing import Any

from lienthong.reconcile.compare import DriftKind
from lienthong.reconcile.report import UNREPAIRABLE, DriftSample, ReconcileReport, RepairReport

__all__ = ["report_json", "summary_lines"]


def summary_lines(report: ReconcileReport) -> list[str]:
    lines = [
        f"source  {report.source_dossiers:>9} dossiers  {report.source_database}",
        f"centre  {report.centre_dossiers:>9} dossiers  {report.centre_database}",
        f"matching {report.matching:>8}",
    ]
    for kind in DriftKind:
        if count := report.drift[kind]:
            lines.append(f"{kind.label}: {count}")
            lines.extend(f"  {_sample_text(sample)}" for sample in report.samples.get(kind, []))
            if count > len(report.samples.get(kind, [])):
                lines.append("  …")
    if report.in_sync:
        lines.append("in sync")
    else:
        lines.append(f"drift: {report.drifting} dossiers ({_counts(report, DriftKind)})")
    if report.repair is not None:
        lines.extend(_repair_lines(report.repair))
        if report.unrepaired:
            left = _counts(report, [kind for kind in DriftKind if kind in UNREPAIRABLE])
            lines.append(f"not repairable by re-publishing: {left}")
    return lines


def report_json(report: ReconcileReport) -> dict[str, Any]:
    return {
        "in_sync": report.in_sync,
        "source": {"database": report.source_database, "dossiers": report.source_dossiers},
        "centre": {"database": report.centre_database, "dossiers": report.centre_dossiers},
        "matching": report.matching,
        "drift": {
            kind.value: {
                "count": report.drift[kind],
                "first": [_sample_json(sample) for sample in report.samples.get(kind, [])],
            }
            for kind in DriftKind
        },
        "unrepaired": report.unrepaired,
        "repair": None if report.repair is None else _repair_json(report.repair),
    }


def _counts(report: ReconcileReport, kinds: Iterable[DriftKind]) -> str:
    return ", ".join(f"{kind.label} {report.drift[kind]}" for kind in kinds if report.drift[kind])


def _sample_text(sample: DriftSample) -> str:
    versions = [
        f"{side} v{version}"
        for side, version in (("source", sample.source_version), ("centre", sample.centre_version))
        if version is not None
    ]
    problem = f"  ({sample.problem})" if sample.problem else ""
    return f"{sample.key}  {'  '.join(versions)}{problem}"


def _sample_json(sample: DriftSample) -> dict[str, Any]:
    return {
        "key": sample.key,
        "source_version": sample.source_version,
        "centre_version": sample.centre_version,
        "problem": sample.problem,
    }


def _repair_lines(repair: RepairReport) -> list[str]:
    if not repair.total:
        lines = ["re-published nothing"]
    else:
        kinds = ", ".join(f"{count} {kind.value}" for kind, count in sorted(repair.counts.items()))
        lines = [
            f"re-published {repair.total} outbox rows {repair.first_id}..{repair.last_id} "
            f"({kinds}), correlation id {repair.correlation_id}"
        ]
        lines.extend(
            f"  outbox {r.outbox_id}  {r.event_type.value:<8}  {r.key}  v{r.version}"
            for r in repair.first
        )
        if repair.total > len(repair.first):
            lines.append("  …")
        lines.append(
            "the outbox connector delivers them: reconcile again once the centre caught up"
        )
    if repair.skipped:
        lines.append(
            f"skipped {repair.skipped} changed at the source since the comparison: "
            "their own outbox rows carry the fix"
        )
    return lines


def _repair_json(repair: RepairReport) -> dict[str, Any]:
    return {
        "correlation_id": repair.correlation_id,
        "republished": {kind.value: count for kind, count in sorted(repair.counts.items())},
        "first_outbox_id": repair.first_id,
        "last_outbox_id": repair.last_id,
        "first": [
            {
                "outbox_id": r.outbox_id,
                "key": r.key,
                "event_type": r.event_type.value,
                "version": r.version,
            }
            for r in repair.first
        ],
        "skipped": repair.skipped,
    }
