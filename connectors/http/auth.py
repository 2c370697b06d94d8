"""Who is calling: the bearer token names a credential, the credential an agency and its domains."""

import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from connectors.contract import Domain
from connectors.http.options import Credential, token_digest
from connectors.http.problems import ApiProblem

__all__ = ["Caller", "Gatekeeper"]

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="lienthong"'}


@dataclass(frozen=True, slots=True)
class Caller:
    agency: str
    domains: frozenset[Domain]

    def require(self, domain: Domain) -> None:
        """403 unless this agency may send changes of `domain`."""
        if domain not in self.domains:
            raise ApiProblem(403, f"agency {self.agency} may not send {domain.value}")


class Gatekeeper:
    """Checks `Authorization: Bearer <token>` against the configured token digests."""

    def __init__(self, credentials: Sequence[Credential]) -> None:
        self._callers = [
            (credential.digest, Caller(credential.agency, frozenset(credential.domains)))
            for credential in credentials
        ]

    def caller(self, authorization: str | None) -> Caller:
        """The caller the header authenticates; 401 when it is missing or matches no token."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiProblem(401, "a bearer token is required", headers=_CHALLENGE)
        digest = token_digest(token.strip())
        found: Caller | None = None
        for known, caller in self._callers:
            # compare every digest so the answer takes as long whichever token matched
            if hmac.compare_digest(known, digest):
                found = caller
        if found is None:
            raise ApiProblem(401, "the bearer token is not known", headers=_CHALLENGE)
        return found
