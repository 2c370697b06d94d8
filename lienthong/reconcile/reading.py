"""Both sides' dossiers streamed in dossier-number order, a chunk of rows at a time.

One query per side: PostgreSQL serves it from a server-side cursor, SQLite steps its primary
key index, so memory stays at one chunk whatever the table's size. The merge needs both sides
in the same order as Python compares strings, code-point order: SQLite's default (BINARY)
collation is that already; PostgreSQL's database collation may not be, so it is asked for "C".
"""

from collections.abc import Iterator

from sqlalchemy import ColumnElement, Engine, select

from connectors.motcua.mapping import SourceIdentity
from connectors.motcua.source_tables import dossiers_table
from lienthong.privacy import DataProtection
from lienthong.reconcile.states import KeyState, centre_state, source_state
from streams.centre.schema import DOSSIERS

__all__ = ["centre_states", "source_states"]


def source_states(
    engine: Engine, source: SourceIdentity, protection: DataProtection, *, chunk_size: int
) -> Iterator[KeyState]:
    """The source's dossiers, checksummed as the centre stores them under `protection`."""
    key = _code_point_order(engine, dossiers_table.c.dossier_no)
    with engine.connect() as conn:
        streamed = conn.execution_options(stream_results=True, yield_per=chunk_size)
        for row in streamed.execute(select(dossiers_table).order_by(key)).mappings():
            yield source_state(row, source, protection)


def centre_states(engine: Engine, *, chunk_size: int) -> Iterator[KeyState]:
    key = _code_point_order(engine, DOSSIERS.c.dossier_no)
    with engine.connect() as conn:
        streamed = conn.execution_options(stream_results=True, yield_per=chunk_size)
        for row in streamed.execute(select(DOSSIERS).order_by(key)).mappings():
            yield centre_state(row)


def _code_point_order(engine: Engine, column: ColumnElement[str]) -> ColumnElement[str]:
    return column.collate("C") if engine.dialect.name == "postgresql" else column
