"""The idempotency table's statements, one definition for each database's placeholders and
expiry column: the first unexpired answer to a key stays; an expired one may be replaced."""

from dataclasses import dataclass

from connectors.http.idempotency import StoredAnswer

__all__ = ["IdempotencySql", "remembered_row"]


@dataclass(frozen=True, slots=True)
class IdempotencySql:
    schema: str
    expiry_index: str
    find: str
    """Parameters: connector, agency, key, now."""
    remember: str
    """Parameters: `remembered_row(...)`."""
    forget_expired: str
    """Parameter: now."""

    @classmethod
    def for_database(cls, placeholder: str, expires: str, expires_type: str) -> "IdempotencySql":
        """`expires` is the expiry column, of SQL type `expires_type`."""
        p = placeholder
        return cls(
            schema=f"""
CREATE TABLE IF NOT EXISTS http_idempotency (
    connector TEXT NOT NULL,
    agency TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    answer TEXT NOT NULL,
    {expires} {expires_type} NOT NULL,
    PRIMARY KEY (connector, agency, idempotency_key)
)
""",
            expiry_index=(
                "CREATE INDEX IF NOT EXISTS http_idempotency_expiry"
                f" ON http_idempotency ({expires})"
            ),
            find=(
                "SELECT fingerprint, status, answer FROM http_idempotency"
                f" WHERE connector = {p} AND agency = {p} AND idempotency_key = {p}"
                f" AND {expires} > {p}"
            ),
            remember=(
                f"INSERT INTO http_idempotency VALUES ({', '.join([p] * 7)})"
                " ON CONFLICT (connector, agency, idempotency_key) DO UPDATE SET"
                " fingerprint = excluded.fingerprint, status = excluded.status,"
                f" answer = excluded.answer, {expires} = excluded.{expires}"
                f" WHERE http_idempotency.{expires} <= {p}"
            ),
            forget_expired=f"DELETE FROM http_idempotency WHERE {expires} <= {p}",
        )


def remembered_row(
    connector: str, agency: str, key: str, answer: StoredAnswer, expires: object, now: object
) -> tuple[object, ...]:
    """The parameters of `IdempotencySql.remember`; times as the expiry column holds them."""
    return (connector, agency, key, answer.fingerprint, answer.status, answer.body, expires, now)
