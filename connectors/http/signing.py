"""HMAC-SHA256 request signatures, as a sending system computes them and the API checks them.

    X-Lienthong-Timestamp: 1754020800            (unix seconds, when the request was signed)
    X-Lienthong-Signature: hex HMAC-SHA256(secret,
        METHOD "\\n" PATH "\\n" TIMESTAMP "\\n" hex SHA-256(body))

PATH is the request's path as sent, without the query string (`/v1/dossiers/changes:batch`).
"""

import hashlib
import hmac
import time
from typing import Final

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "request_signature",
    "signed_headers",
]

TIMESTAMP_HEADER: Final = "X-Lienthong-Timestamp"
SIGNATURE_HEADER: Final = "X-Lienthong-Signature"


def request_signature(secret: str, method: str, path: str, timestamp: int, body: bytes) -> str:
    """The hex signature of one request."""
    body_digest = hashlib.sha256(body).hexdigest()
    message = f"{method.upper()}\n{path}\n{timestamp}\n{body_digest}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, method: str, path: str, body: bytes, timestamp: int | None = None
) -> dict[str, str]:
    """The two headers that sign a request; `timestamp` defaults to now."""
    signed_at = int(time.time()) if timestamp is None else timestamp
    return {
        TIMESTAMP_HEADER: str(signed_at),
        SIGNATURE_HEADER: request_signature(secret, method, path, signed_at, body),
    }
