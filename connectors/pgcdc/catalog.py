"""What the connector reads from PostgreSQL's catalog: its tables' columns and keys.

A table is refused when its changes could not be captured whole: no key to order the
snapshot by, or a replica identity that leaves deletes without the key columns (a table
with REPLICA IDENTITY NOTHING in a publication also makes the department's own UPDATEs
and DELETEs fail, so it is never added).
"""

from dataclasses import dataclass

import psycopg

from connectors.pgcdc.options import TableOptions
from lienthong.errors import ConfigurationError

__all__ = ["CapturedTable", "describe_table"]

_TABLE = """
SELECT c.oid, c.relreplident, c.relkind
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relname = %s
"""
_COLUMNS = """
SELECT attname, format_type(atttypid, atttypmod)
FROM pg_attribute WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped ORDER BY attnum
"""
_INDEX_COLUMNS = """
SELECT a.attname
FROM pg_index i
JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) ON true
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = %s AND {which}
ORDER BY k.n
"""


@dataclass(frozen=True, slots=True)
class CapturedTable:
    options: TableOptions
    columns: tuple[str, ...]
    """Every column, in the table's order."""
    types: dict[str, str]
    """Column to its SQL type, as format_type() writes it."""
    key_columns: tuple[str, ...]
    replica_identity: str
    """d (primary key), f (full row), i (an index)."""
    fields: dict[str, str]
    """The captured columns, each to the entity field it fills."""
    partitioned: bool = False
    """Its changes are published under its own name only with publish_via_partition_root."""

    @property
    def name(self) -> str:
        return self.options.table

    @property
    def full_before_image(self) -> bool:
        """Deletes and updates carry the whole row before the change."""
        return self.replica_identity == "f"


async def describe_table(
    conn: psycopg.AsyncConnection[tuple[object, ...]], options: TableOptions
) -> CapturedTable:
    found = await (await conn.execute(_TABLE, (options.schema_name, options.table_name))).fetchone()
    if found is None:
        raise ConfigurationError(f"table {options.table} does not exist")
    oid, identity, relkind = found
    if relkind not in ("r", "p"):
        raise ConfigurationError(f"{options.table} is not a table (relkind {relkind})")
    rows = await (await conn.execute(_COLUMNS, (oid,))).fetchall()
    types = {str(name): str(sql_type) for name, sql_type in rows}
    primary = await _index_columns(conn, oid, "i.indisprimary")
    identity_columns = await _index_columns(conn, oid, "i.indisreplident")
    key_columns = options.key_columns or primary
    if not key_columns:
        raise ConfigurationError(
            f"{options.table} has no primary key: set key_columns (unique, not null)"
        )
    fields = _fields(options, tuple(types))
    _check(options, types, fields, key_columns, str(identity), primary, identity_columns)
    return CapturedTable(
        options=options,
        columns=tuple(types),
        types=types,
        key_columns=key_columns,
        replica_identity=str(identity),
        fields=fields,
        partitioned=relkind == "p",
    )


async def _index_columns(
    conn: psycopg.AsyncConnection[tuple[object, ...]], oid: object, which: str
) -> tuple[str, ...]:
    query = _INDEX_COLUMNS.format(which=which)
    return tuple(str(row[0]) for row in await (await conn.execute(query, (oid,))).fetchall())


def _fields(options: TableOptions, columns: tuple[str, ...]) -> dict[str, str]:
    if options.columns is None:
        return {column: column for column in columns}
    return dict(options.columns)


def _check(
    options: TableOptions,
    types: dict[str, str],
    fields: dict[str, str],
    key_columns: tuple[str, ...],
    identity: str,
    primary: tuple[str, ...],
    identity_columns: tuple[str, ...],
) -> None:
    table = options.table
    named = [*fields, *key_columns, *options.json_columns, *options.envelope_columns]
    missing = sorted({column for column in named if column not in types})
    if missing:
        raise ConfigurationError(f"{table} has no column {', '.join(missing)}")
    unmapped = sorted(set(options.json_columns) - set(fields))
    if unmapped:
        raise ConfigurationError(f"{table}: json_columns {', '.join(unmapped)} are not captured")
    sent_on_delete = {"d": primary, "i": identity_columns}.get(identity)
    if identity == "n" or (identity == "d" and not primary):
        raise ConfigurationError(
            f"{table} has REPLICA IDENTITY NOTHING (or no primary key): in a publication its "
            "UPDATEs and DELETEs would fail; give it a primary key or REPLICA IDENTITY FULL"
        )
    if sent_on_delete is not None and not set(key_columns) <= set(sent_on_delete):
        raise ConfigurationError(
            f"{table}: deletes carry only {', '.join(sent_on_delete)}, not every key column "
            f"({', '.join(key_columns)}); set REPLICA IDENTITY FULL or USING INDEX on them"
        )
