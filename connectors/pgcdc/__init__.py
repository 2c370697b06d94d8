"""Log-based change capture from PostgreSQL (logical replication, pgoutput): kind `pgcdc`."""

from connectors.pgcdc.options import PgCdcOptions, TableOptions
from connectors.pgcdc.source import PgCdcSource

__all__ = ["PgCdcOptions", "PgCdcSource", "TableOptions"]
