"""The operators' web dashboard (`lienthong dashboard`): the bus at a glance, refreshed live."""

from lienthong.dashboard.app import build_app
from lienthong.dashboard.dead_letters import DeadLetterList, DeadLetterView, dead_letter_list
from lienthong.dashboard.exporter import BusCollector
from lienthong.dashboard.history import History, Point, SeriesSet, throughput_per_s
from lienthong.dashboard.overview import build_overview
from lienthong.dashboard.overview_models import Overview
from lienthong.dashboard.sample import BusSample, DashboardState, GroupLag
from lienthong.dashboard.sampler import Sampler, take_sample
from lienthong.dashboard.server import DashboardPortTakenError, running_dashboard

__all__ = [
    "BusCollector",
    "BusSample",
    "DashboardPortTakenError",
    "DashboardState",
    "DeadLetterList",
    "DeadLetterView",
    "GroupLag",
    "History",
    "Overview",
    "Point",
    "Sampler",
    "SeriesSet",
    "build_app",
    "build_overview",
    "dead_letter_list",
    "running_dashboard",
    "take_sample",
    "throughput_per_s",
]
