"""Stream processors that keep the data integration centre in sync with the bus."""

from streams.app import create_app
from streams.centre import CentreCounts, CentreSink, count_dossiers
from streams.worker import run_worker

__all__ = ["CentreCounts", "CentreSink", "count_dossiers", "create_app", "run_worker"]
