"""Signed push requests: the signature covers method, path, time and body; a signature is
accepted once and only near the server's clock; each credential has its own request rate."""

import hashlib
import hmac
from typing import Any

import pytest
from pydantic import ValidationError

from connectors.http.auth import Gatekeeper
from connectors.http.options import Credential, HttpOptions
from connectors.http.problems import ApiProblem
from connectors.http.rate_limit import RateLimit, TokenBuckets
from connectors.http.signature_check import SignatureGuard, SignedRequest
from connectors.http.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    request_signature,
    signed_headers,
)

SECRET = "hmac-secret-12"
NOW = 1_754_020_800
PATH = "/v1/dossiers/changes"
BODY = b'{"key": "H41-1", "version": 1}'


def signed(
    body: bytes = BODY, path: str = PATH, timestamp: int = NOW, secret: str = SECRET
) -> SignedRequest:
    headers = signed_headers(secret, "POST", path, body, timestamp)
    return SignedRequest("POST", PATH, BODY, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER])


def refused(call: Any, *args: Any) -> ApiProblem:
    with pytest.raises(ApiProblem) as caught:
        call(*args)
    return caught.value


def test_the_signature_is_the_hmac_of_method_path_timestamp_and_body_digest() -> None:
    message = f"POST\n{PATH}\n{NOW}\n{hashlib.sha256(BODY).hexdigest()}".encode()
    expected = hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
    assert request_signature(SECRET, "post", PATH, NOW, BODY) == expected
    assert signed_headers(SECRET, "POST", PATH, BODY, NOW) == {
        TIMESTAMP_HEADER: str(NOW),
        SIGNATURE_HEADER: expected,
    }


def test_a_good_signature_is_accepted_once() -> None:
    guard = SignatureGuard(window_s=300)
    request = signed()
    assert guard.check(SECRET, request, NOW + 5) == request.signature
    problem = refused(guard.check, SECRET, request, NOW + 6)
    assert problem.status == 401 and "already used" in problem.detail
    guard.forget(request.signature or "")
    assert guard.check(SECRET, request, NOW + 7)  # a refused request may be retried


@pytest.mark.parametrize(
    "tampered",
    [
        signed(body=BODY + b" "),  # the body changed after signing
        signed(path="/v1/documents/changes"),  # signed for another route
        signed(secret="another-secret"),
        SignedRequest("POST", PATH, BODY, str(NOW), "ab" * 32),
        SignedRequest("POST", PATH, BODY, str(NOW), "not hex"),
    ],
)
def test_a_signature_of_another_request_is_refused(tampered: SignedRequest) -> None:
    problem = refused(SignatureGuard(window_s=300).check, SECRET, tampered, NOW)
    assert problem.status == 401
    assert problem.detail == "the signature does not match the request"


def test_a_timestamp_outside_the_window_is_refused_either_way() -> None:
    guard = SignatureGuard(window_s=300)
    for timestamp in (NOW - 301, NOW + 301):
        problem = refused(guard.check, SECRET, signed(timestamp=timestamp), NOW)
        assert problem.status == 401 and "301 s away" in problem.detail
    assert guard.check(SECRET, signed(timestamp=NOW - 300), NOW)
    for timestamp in ("yesterday", "-5", "1.5", ""):
        request = SignedRequest("POST", PATH, BODY, timestamp, "ab" * 32)
        assert "unix seconds" in refused(guard.check, SECRET, request, NOW).detail
    half = SignedRequest("POST", PATH, BODY, str(NOW), None)
    assert "send both" in refused(guard.check, SECRET, half, NOW).detail


def test_remembered_signatures_expire_with_their_window_and_stay_bounded() -> None:
    guard = SignatureGuard(window_s=10, max_remembered=2)
    guard.check(SECRET, signed(timestamp=NOW), NOW)
    guard.check(SECRET, signed(timestamp=NOW + 1), NOW + 1)
    full = refused(guard.check, SECRET, signed(timestamp=NOW + 2), NOW + 2)
    assert (full.status, full.headers) == (503, {"Retry-After": "1"})
    assert guard.check(SECRET, signed(timestamp=NOW + 5), NOW + 11)  # the first one expired


def credential(**extra: Any) -> Credential:
    document = {"agency": "A", "token": "t-a", "domains": ["dossiers"]} | extra
    return Credential.model_validate(document)


def test_a_credential_that_requires_signatures_refuses_unsigned_requests() -> None:
    clock = [float(NOW)]
    gate = Gatekeeper(
        [credential(hmac_secret=SECRET, require_signature=True)], wall_clock=lambda: clock[0]
    )
    caller = gate.caller("Bearer t-a")
    assert repr(caller).count(SECRET) == 0
    unsigned = SignedRequest("POST", PATH, BODY, None, None)
    assert refused(gate.signature, caller, unsigned).detail == "agency A must sign its requests"
    assert gate.signature(caller, signed()) is not None
    optional = Gatekeeper([credential(hmac_secret=SECRET)])
    assert optional.signature(optional.caller("Bearer t-a"), unsigned) is None
    with pytest.raises(ValidationError, match="needs hmac_secret"):
        credential(require_signature=True)


def test_each_credential_has_its_own_token_bucket() -> None:
    buckets, limit = TokenBuckets(), RateLimit(rate_per_s=2.0, burst=3)
    for _ in range(3):
        buckets.take("a", limit, 100.0)
    problem = refused(buckets.take, "a", limit, 100.0)
    assert (problem.status, problem.headers) == (429, {"Retry-After": "1"})
    buckets.take("b", limit, 100.0)  # another credential is not slowed down
    buckets.take("a", limit, 100.5)  # half a second refills one token at 2/s
    buckets.take("a", None, 100.5)  # no limit, no bucket


def test_a_credentials_own_rate_overrides_the_connectors() -> None:
    options = HttpOptions.model_validate(
        {
            "rate_per_s": 10,
            "credentials": [
                {"agency": "A", "token": "t-a", "domains": ["dossiers"]},
                {"agency": "B", "token": "t-b", "domains": ["dossiers"], "rate_per_s": 1},
            ],
        }
    )
    first, second = options.credentials
    assert options.rate_limit(first) == RateLimit(10, 20)
    assert options.rate_limit(second) == RateLimit(1, 20)
    unlimited = HttpOptions.model_validate(
        {"credentials": [{"agency": "A", "token": "t-a", "domains": ["dossiers"]}]}
    )
    assert unlimited.rate_limit(unlimited.credentials[0]) is None
