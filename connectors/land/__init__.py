"""The land register ("cơ sở dữ liệu đất đai"): its `parcels` table and a simulator of its
activity. It has no outbox: the `polling` connector kind reads it (see `PARCELS_QUERY`)."""

from connectors.land.database import (
    StaleParcelError,
    add_parcels,
    change_parcels,
    ensure_land_schema,
    land_engine,
    latest_parcels,
)
from connectors.land.polling import PARCELS_QUERY, parcels_options
from connectors.land.records import ParcelRecord
from connectors.land.simulator import LandAction, LandActivity, LandSimulator
from connectors.land.tables import parcels_table

__all__ = [
    "PARCELS_QUERY",
    "LandAction",
    "LandActivity",
    "LandSimulator",
    "ParcelRecord",
    "StaleParcelError",
    "add_parcels",
    "change_parcels",
    "ensure_land_schema",
    "land_engine",
    "latest_parcels",
    "parcels_options",
    "parcels_table",
]
