"""The data integration centre's store, kept in sync from the bus: dossiers, land parcels,
e-documents and their statuses, with history, links between them and daily scores."""

from streams.centre.batch import CentreBatch, KindBatch, PartitionOffset, ReceivedChange
from streams.centre.catalog import CENTRE_KINDS, kind_of, kind_on_topic
from streams.centre.document_kind import DOCUMENT_KIND
from streams.centre.dossier_kind import DOSSIER_KIND
from streams.centre.history import HistoryEntry, read_history
from streams.centre.kinds import EntityKey, EntityKind
from streams.centre.land_kind import LAND_KIND
from streams.centre.links import (
    ParcelChangeLink,
    documents_of_dossier,
    dossiers_of_parcel,
    parcels_of_dossier,
)
from streams.centre.reads import (
    CentreCounts,
    KindCounts,
    count_dossiers,
    read_counts,
    read_document,
    read_dossier,
    read_kind_counts,
    read_offsets,
    read_parcel,
    read_statuses,
)
from streams.centre.scores import (
    DailyScore,
    OverdueCount,
    ScoreKey,
    read_daily_scores,
    read_overdue,
    refresh_overdue,
)
from streams.centre.sink import CentreSink
from streams.centre.status_kind import STATUS_KIND
from streams.centre.store import centre_url, create_centre_engine, open_centre, write_batch

__all__ = [
    "CENTRE_KINDS",
    "DOCUMENT_KIND",
    "DOSSIER_KIND",
    "LAND_KIND",
    "STATUS_KIND",
    "CentreBatch",
    "CentreCounts",
    "CentreSink",
    "DailyScore",
    "EntityKey",
    "EntityKind",
    "HistoryEntry",
    "KindBatch",
    "KindCounts",
    "OverdueCount",
    "ParcelChangeLink",
    "PartitionOffset",
    "ReceivedChange",
    "ScoreKey",
    "centre_url",
    "count_dossiers",
    "create_centre_engine",
    "documents_of_dossier",
    "dossiers_of_parcel",
    "kind_of",
    "kind_on_topic",
    "open_centre",
    "parcels_of_dossier",
    "read_counts",
    "read_daily_scores",
    "read_document",
    "read_dossier",
    "read_history",
    "read_kind_counts",
    "read_offsets",
    "read_overdue",
    "read_parcel",
    "read_statuses",
    "refresh_overdue",
    "write_batch",
]
