"""Who is calling: the bearer token names a credential, the credential an agency, its domains,
its request rate and the secret its requests are signed with."""

import hmac
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pydantic import SecretStr

from connectors.contract import Domain
from connectors.http.options import Credential, token_digest
from connectors.http.problems import ApiProblem
from connectors.http.rate_limit import RateLimit, TokenBuckets
from connectors.http.signature_check import SignatureGuard, SignedRequest

__all__ = ["Caller", "Gatekeeper"]

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="lienthong"'}


@dataclass(frozen=True, slots=True)
class Caller:
    agency: str
    domains: frozenset[Domain]
    credential_id: str = ""
    """The token's digest: names the credential's rate bucket without holding the token."""
    hmac_secret: SecretStr | None = field(default=None, repr=False)
    require_signature: bool = False
    rate_limit: RateLimit | None = None

    def require(self, domain: Domain) -> None:
        """403 unless this agency may send changes of `domain`."""
        if domain not in self.domains:
            raise ApiProblem(403, f"agency {self.agency} may not send {domain.value}")


def _unlimited(credential: Credential) -> RateLimit | None:
    return None


class Gatekeeper:
    """Checks `Authorization: Bearer <token>` against the configured token digests, each
    credential's request rate, and the signatures of its requests."""

    def __init__(
        self,
        credentials: Sequence[Credential],
        *,
        rate_limit: Callable[[Credential], RateLimit | None] = _unlimited,
        signature_window_s: int = 300,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._callers = [
            (credential.digest, _caller(credential, rate_limit)) for credential in credentials
        ]
        self._buckets = TokenBuckets()
        self._signatures = SignatureGuard(signature_window_s)
        self._monotonic = monotonic
        self._wall_clock = wall_clock

    def caller(self, authorization: str | None) -> Caller:
        """The caller the header authenticates; 401 when it is missing or matches no token,
        429 when the caller sends faster than its credential allows."""
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
        self._buckets.take(found.credential_id, found.rate_limit, self._monotonic())
        return found

    def signature(self, caller: Caller, request: SignedRequest) -> str | None:
        """The request's accepted signature (`forget` it if the request is refused later), or
        None for an unsigned request the caller may send; 401 otherwise."""
        if caller.hmac_secret is None:
            return None
        if not request.signed:
            if caller.require_signature:
                raise ApiProblem(401, f"agency {caller.agency} must sign its requests")
            return None
        secret = caller.hmac_secret.get_secret_value()
        return self._signatures.check(secret, request, self._wall_clock())

    def forget(self, signature: str) -> None:
        self._signatures.forget(signature)


def _caller(credential: Credential, rate_limit: Callable[[Credential], RateLimit | None]) -> Caller:
    return Caller(
        agency=credential.agency,
        domains=frozenset(credential.domains),
        credential_id=credential.digest,
        hmac_secret=credential.hmac_secret,
        require_signature=credential.require_signature,
        rate_limit=rate_limit(credential),
    )
