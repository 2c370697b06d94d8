"""`lienthong demo`: the whole bus on one machine, on the embedded defaults."""

from lienthong.demo.runner import DemoPlan, DemoResult, run_demo
from lienthong.demo.snapshot import DemoSnapshot

__all__ = ["DemoPlan", "DemoResult", "DemoSnapshot", "run_demo"]
