"""The data integration centre's store of dossiers, kept in sync from the bus."""

from streams.centre.batch import CentreBatch, PartitionOffset, ReceivedChange
from streams.centre.history import HistoryEntry, read_history
from streams.centre.reads import (
    CentreCounts,
    count_dossiers,
    read_counts,
    read_dossier,
    read_offsets,
)
from streams.centre.sink import CentreSink
from streams.centre.store import centre_url, create_centre_engine, open_centre, write_batch

__all__ = [
    "CentreBatch",
    "CentreCounts",
    "CentreSink",
    "HistoryEntry",
    "PartitionOffset",
    "ReceivedChange",
    "centre_url",
    "count_dossiers",
    "create_centre_engine",
    "open_centre",
    "read_counts",
    "read_dossier",
    "read_history",
    "read_offsets",
    "write_batch",
]
