"""Column values of the WAL, from the server's text output to Python, by column type.

The loaders are psycopg's, those that also read the snapshot's rows on the same connection,
so a numeric, a timestamp or a jsonb value reads the same whether it was snapshotted or
streamed. No I/O: the connection only lends its type registry and time zone.
"""

from typing import Any

from psycopg.abc import AdaptContext
from psycopg.adapt import Transformer
from psycopg.pq import Format

from connectors.pgcdc.pgoutput import Relation, TupleData, Unchanged

__all__ = ["RelationValues"]


class RelationValues:
    """Reads the tuples of one relation, as the last Relation message described it."""

    def __init__(self, relation: Relation, context: AdaptContext | None = None) -> None:
        self.relation = relation
        self._names = tuple(column.name for column in relation.columns)
        self._loader = Transformer(context)
        self._loader.set_loader_types([c.type_oid for c in relation.columns], Format.TEXT)

    def read(self, data: TupleData) -> tuple[dict[str, Any], frozenset[str]]:
        """The row by column name, and the columns whose unchanged TOASTed value was not sent
        (they are absent from the row)."""
        if len(data) != len(self._names):
            raise ValueError(
                f"{self.relation.qualified_name}: {len(data)} values for {len(self._names)} columns"
            )
        unchanged = frozenset(
            name for name, value in zip(self._names, data, strict=True) if value is Unchanged.TOAST
        )
        raw = [None if isinstance(value, Unchanged) else value for value in data]
        loaded = self._loader.load_sequence(raw)
        row = {
            name: value
            for name, value in zip(self._names, loaded, strict=True)
            if name not in unchanged
        }
        return row, unchanged
