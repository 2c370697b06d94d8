"""`lienthong demo`: the whole bus on one machine, on the embedded defaults."""

from lienthong.demo.runner import DemoPlan, DemoResult, run_demo
from lienthong.demo.snapshot import DemoSnapshot, DepartmentProgress, SyncState

__all__ = ["DemoPlan", "DemoResult", "DemoSnapshot", "DepartmentProgress", "SyncState", "run_demo"]
