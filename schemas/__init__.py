"""The `.avsc` files beside this module are the single source of truth for every event.

Files are named `<namespace>.<name>.avsc`, so a schema that names another type finds it.
"""

from pathlib import Path
from typing import Any

from fastavro import parse_schema
from fastavro.schema import load_schema

__all__ = [
    "DOCUMENT_CHANGE",
    "DOCUMENT_STATUS_CHANGE",
    "DOSSIER_CHANGE",
    "LAND_PARCEL_CHANGE",
    "SCHEMA_DIR",
    "TOP_LEVEL",
    "load_parsed_schema",
    "schema_path",
]

SCHEMA_DIR = Path(__file__).resolve().parent

DOSSIER_CHANGE = "vn.lienthong.motcua.DossierChange"
LAND_PARCEL_CHANGE = "vn.lienthong.land.LandParcelChange"
DOCUMENT_CHANGE = "vn.lienthong.edoc.DocumentChange"
DOCUMENT_STATUS_CHANGE = "vn.lienthong.edoc.DocumentStatusChange"

TOP_LEVEL = (DOSSIER_CHANGE, LAND_PARCEL_CHANGE, DOCUMENT_CHANGE, DOCUMENT_STATUS_CHANGE)
"""Full names of the records that travel on topics; every other named type is nested in them."""


def schema_path(full_name: str) -> Path:
    path = SCHEMA_DIR / f"{full_name}.avsc"
    if not path.is_file():
        raise FileNotFoundError(f"no schema file for {full_name!r} in {SCHEMA_DIR}")
    return path


def load_parsed_schema(full_name: str) -> dict[str, Any]:
    """The schema with every named type it references resolved, ready for fastavro."""
    schema = parse_schema(load_schema(str(schema_path(full_name))))
    if not isinstance(schema, dict):
        raise TypeError(f"{full_name} is not a named record schema")
    return schema
