"""The land register's `parcels` table, as a department system keeps it (SQLite, PostgreSQL).

One row per parcel as it stands, updated in place: `row_version` and `updated_at` change with
every change, including the soft delete (`deleted`). A split or merge closes the old parcels
(`is_latest` false) and adds new ones that name them in `previous_parcels`. Land uses, holders
and previous parcels are JSON text; the certificate is three columns. Times are UTC
(`timestamptz` on PostgreSQL; naive text on SQLite), set from the database's clock.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql

__all__ = ["land_metadata", "parcels_table"]

land_metadata = MetaData()

# Areas come back as floats, converted exactly by their shortest repr (12 digits fit a double):
# SQLite has no decimals, and one code path serves both databases.
_Area = Numeric(12, 2, asdecimal=False)

# MySQL's DATETIME keeps whole seconds unless asked for microseconds.
_Stamp = DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

parcels_table = Table(
    "parcels",
    land_metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("parcel_id", String(36), nullable=False, unique=True),
    Column("commune_code", String(8), nullable=False),
    Column("code_list", String(8), nullable=False, comment="VN2025, or VN2004 for old records"),
    Column("map_sheet_no", Integer, nullable=False),
    Column("parcel_no", Integer, nullable=False),
    Column("previous_parcels", Text, nullable=False, default="[]"),
    Column("area_m2", _Area, nullable=False),
    Column("legal_area_m2", _Area),
    Column("address", Text),
    Column("land_uses", Text, nullable=False, default="[]"),
    Column("holders", Text, nullable=False, default="[]"),
    Column("certificate_serial", String(16)),
    Column("certificate_register_no", String(16)),
    Column("certificate_register_date", Date),
    Column("change_reason", Text),
    Column("dossier_no", String(64)),
    Column("is_latest", Boolean, nullable=False, default=True),
    Column("row_version", Integer, nullable=False),
    Column("updated_at", _Stamp, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Index("ix_parcels_updated", "updated_at", "id"),
    Index("ix_parcels_sheet_parcel", "commune_code", "map_sheet_no", "parcel_no"),
    sqlite_autoincrement=True,
)
