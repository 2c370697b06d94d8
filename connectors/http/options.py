"""The `options:` of an `http` connector: where it listens, its limits, who may send what.

options:
  port: 8780
  credentials:
    - agency: 000.00.12.H41
      token_sha256: 9f86d081884c7d65...   # hex SHA-256 of the bearer token
      domains: [dossiers]
    - agency: 000.00.13.H41
      token: ${COMMUNE_13_TOKEN}        # or the token itself, from the environment
      domains: [documents, document_statuses]
      hmac_secret: ${COMMUNE_13_HMAC}   # requests may be signed (connectors.http.signing)...
      require_signature: true           # ...or must be
      rate_per_s: 5                     # this credential's own limit (else the options')
  signature_window_s: 300               # a signature's timestamp may be this far off, either way
  rate_per_s: 20                        # each credential's limit; unset: none
  burst: 40
"""

import hashlib
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from connectors.contract import Domain
from connectors.http.rate_limit import RateLimit

__all__ = ["Credential", "HttpOptions", "token_digest"]

MIB = 1024 * 1024


def token_digest(token: str) -> str:
    """The hex SHA-256 of a bearer token, as `token_sha256` holds it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Credential(BaseModel):
    """One bearer token: the agency it speaks for and the domains that agency may send."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agency: str = Field(min_length=1)
    """The sending agency's OrganId; its events carry it as `source_agency`."""
    token_sha256: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{64}$")
    token: SecretStr | None = None
    domains: tuple[Domain, ...] = Field(min_length=1)
    hmac_secret: SecretStr | None = None
    """Signs this credential's requests (`connectors.http.signing`); never logged."""
    require_signature: bool = False
    """Refuse (401) this credential's requests that are not signed."""
    rate_per_s: float | None = Field(default=None, gt=0)
    """Requests per second for this credential; unset: the options' `rate_per_s`."""
    burst: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_token(self) -> Self:
        if (self.token_sha256 is None) == (self.token is None):
            raise ValueError(
                f"credential of {self.agency}: give exactly one of token_sha256, token"
            )
        if self.token is not None and not self.token.get_secret_value():
            raise ValueError(f"credential of {self.agency}: the token is empty")
        if self.hmac_secret is not None and not self.hmac_secret.get_secret_value():
            raise ValueError(f"credential of {self.agency}: the hmac_secret is empty")
        if self.require_signature and self.hmac_secret is None:
            raise ValueError(f"credential of {self.agency}: require_signature needs hmac_secret")
        return self

    @property
    def digest(self) -> str:
        if self.token is not None:
            return token_digest(self.token.get_secret_value())
        assert self.token_sha256 is not None  # the validator allows no third case
        return self.token_sha256.lower()


class HttpOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8780, ge=0, le=65535)
    """0 lets the system choose a free port (the source's `url` tells which)."""
    max_body_bytes: int = Field(default=MIB, ge=1024)
    max_batch: int = Field(default=500, ge=1, le=10_000)
    """Most changes in one batch request."""
    ack_timeout_s: float = Field(default=30.0, gt=0)
    """How long a request waits for Kafka before it is answered 503 (retry with its key)."""
    credentials: tuple[Credential, ...] = Field(min_length=1)
    idempotency_path: Path | None = None
    """SQLite file of the idempotency keys; `<var_dir>/http/<connector>.idempotency.db` when
    unset. Ignored when `idempotency_dsn` is set."""
    idempotency_dsn: SecretStr | None = None
    """A PostgreSQL URL: keys are kept in its `http_idempotency` table, shared by replicas."""
    idempotency_ttl_h: float = Field(default=24.0, gt=0)
    signature_window_s: int = Field(default=300, ge=1, le=86_400)
    """How far a signature's timestamp may be from the server's clock, either way."""
    rate_per_s: float | None = Field(default=None, gt=0)
    """Requests per second each credential may send (its own bucket); unset: no limit."""
    burst: int = Field(default=20, ge=1)
    """Requests a credential may send at once before `rate_per_s` applies."""

    @model_validator(mode="after")
    def _distinct_tokens(self) -> Self:
        digests = [credential.digest for credential in self.credentials]
        if len(set(digests)) != len(digests):
            raise ValueError("two credentials share one token")
        return self

    def rate_limit(self, credential: Credential) -> RateLimit | None:
        """The credential's own limit, else the connector's; None: unlimited."""
        rate_per_s = credential.rate_per_s or self.rate_per_s
        if rate_per_s is None:
            return None
        return RateLimit(rate_per_s, credential.burst or self.burst)
