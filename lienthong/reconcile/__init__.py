"""Reconciliation: the source's dossiers against the centre's, key by key, and their repair."""

from lienthong.reconcile.compare import DriftKind, KeyComparison, KeyOrderError, compare_states
from lienthong.reconcile.formatting import report_json, summary_lines
from lienthong.reconcile.report import ReconcileReport, RepairReport, Republished
from lienthong.reconcile.run import reconcile
from lienthong.reconcile.states import KeyState, centre_state, dossier_checksum, source_state

__all__ = [
    "DriftKind",
    "KeyComparison",
    "KeyOrderError",
    "KeyState",
    "ReconcileReport",
    "RepairReport",
    "Republished",
    "centre_state",
    "compare_states",
    "dossier_checksum",
    "reconcile",
    "report_json",
    "source_state",
    "summary_lines",
]
