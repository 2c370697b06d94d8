"""Writing many rows at once: `INSERT ... ON CONFLICT` with the rows as parameters on
SQLite, and on PostgreSQL `COPY` into a temporary staging table followed by one
`INSERT ... SELECT ... ON CONFLICT` (measured: `lienthong bench sink`).

Row-by-row parameters cost PostgreSQL a statement per row, even pipelined; COPY streams
the rows in one command. The staging table lives as long as the connection and is emptied
at every commit (`ON COMMIT DELETE ROWS`), so a rolled-back batch leaves nothing behind.
A batch holds one row per key (the batch collapses per entity and the history per event
id), as `ON CONFLICT DO UPDATE` requires.
"""

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import Connection, Table, column, select, table

from streams.centre.dialect import ConflictRule, insert_for

__all__ = ["write_rows"]

COPY_FROM_ROWS: Final = 16
"""Below this many rows plain parameters are as fast as staging them."""


def write_rows(
    conn: Connection,
    target: Table,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    rule: ConflictRule,
    counts: Sequence[str] = (),
) -> None:
    """Insert `rows` into `target`; on a key already there, follow `rule` (with "add", the
    `counts` columns are summed: streams.centre.dialect.insert_for)."""
    if not rows:
        return
    if conn.dialect.name != "postgresql" or len(rows) < COPY_FROM_ROWS:
        conn.execute(insert_for(conn, target, key, rule, counts=counts), list(rows))
        return
    names = [c.name for c in target.columns]
    stage = f"stage_{target.name}"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor:
        cursor.execute(
            f'CREATE TEMPORARY TABLE IF NOT EXISTS "{stage}" '
            f'(LIKE "{target.name}" INCLUDING DEFAULTS) ON COMMIT DELETE ROWS'
        )
        columns = ", ".join(f'"{name}"' for name in names)
        with cursor.copy(f'COPY "{stage}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[name] for name in names])
    staged = select(*(column(name) for name in names)).select_from(
        table(stage, *(column(name) for name in names))
    )
    conn.execute(insert_for(conn, target, key, rule, staged, counts))
