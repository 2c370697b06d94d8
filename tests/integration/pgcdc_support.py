"""The land register's parcels table as the pgcdc tests read it (`land.parcels`, the register's
own column names), shared by the connector's tests and the fault suite."""

from typing import Any

__all__ = ["table_options"]


def table_options(**extra: Any) -> dict[str, Any]:
    """The pgcdc `tables` entry for land.parcels: its columns mapped to a LandParcel's fields."""
    return {
        "table": "land.parcels",
        "domain": "land_parcels",
        "columns": {
            "parcel_id": "parcel_id",
            "commune_code": "commune_code",
            "so_to": "map_sheet_no",
            "so_thua": "parcel_no",
            "version": "version",
            "is_latest": "is_latest",
            "area_m2": "area_m2",
            "land_uses": "land_uses",
            "holders": "holders",
            "address": "address",
        },
        "json_columns": ["land_uses", "holders"],
        "admin_unit_column": "commune_code",
        "admin_code_list_column": "code_list",
        **extra,
    }
