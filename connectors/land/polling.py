"""How the `polling` connector kind reads the land register: its query and options."""

from typing import Any

__all__ = ["PARCELS_QUERY", "parcels_options"]

PARCELS_QUERY = """
SELECT id, updated_at, deleted,
       parcel_id, commune_code, code_list AS commune_code_list, map_sheet_no, parcel_no,
       previous_parcels, row_version AS version, is_latest, area_m2, legal_area_m2,
       land_uses, address, holders, change_reason, dossier_no,
       certificate_serial AS certificate__serial_no,
       certificate_register_no AS certificate__register_no,
       certificate_register_date AS certificate__register_date,
       commune_code AS admin_unit, code_list AS admin_code_list
FROM parcels
"""
"""Columns aliased to the fields of a `LandParcel`; the certificate's three build one record.
The commune code and its code list come again under bookkeeping names for the envelope: about
one parcel in ten is still filed under a 2004 commune code."""


def parcels_options(dsn: str, **overrides: Any) -> dict[str, Any]:
    """The `options:` of a polling connector on the land register at `dsn`."""
    return {
        "dsn": dsn,
        "domain": "land_parcels",
        "query": PARCELS_QUERY,
        "timestamp_column": "updated_at",
        "incrementing_column": "id",
        "key_column": "parcel_id",
        "version_column": "version",
        "deleted_column": "deleted",
        "admin_unit_column": "admin_unit",
        "admin_code_list_column": "admin_code_list",
        **overrides,
    }
