"""`POST /v1/{domain}/changes` (one change) and `POST /v1/{domain}/changes:batch` (a list).

A batch is all or nothing: one invalid item refuses the whole batch with 422 listing every
item's problems as `[i].field`; a valid batch is published in order and answered 202 with
one result per item, once every item is committed to Kafka.
"""

import json
from collections.abc import Sequence
from typing import Any, Final
from uuid import UUID

from aiohttp import web

from connectors.contract import Change, Domain
from connectors.http.answers import BatchAccepted, ChangeAccepted
from connectors.http.auth import Caller
from connectors.http.context import ACCEPTED_SIGNATURE, CONTEXT, REQUEST_ID, ApiContext
from connectors.http.delivery import KeyedRequest
from connectors.http.idempotency import (
    IDEMPOTENCY_HEADER,
    fingerprint,
    keyed_event_id,
    valid_key,
)
from connectors.http.problems import ApiProblem, FieldError
from connectors.http.requests import ChangeRequest, parse_batch, parse_change, parse_json
from connectors.http.signature_check import SignedRequest
from connectors.http.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER

__all__ = ["JSON_TYPES", "keyed_request", "post_batch", "post_change", "read_body"]

JSON_TYPES: Final = frozenset({"application/json"})


async def post_change(request: web.Request) -> web.Response:
    context, domain, caller = _admitted(request)
    document = parse_json(await read_body(request, JSON_TYPES, caller))
    change = parse_change(document)
    keyed = keyed_request(request, caller, f"{domain.value}/change", _canonical(document))

    def prepare() -> list[Change]:
        built = _change(domain, change, caller, keyed, 0, request.headers[REQUEST_ID])
        if problems := context.checker.problems(built, context.clock()):
            raise ApiProblem(422, "the change is not valid", errors=problems)
        return [built]

    def answer(event_ids: Sequence[UUID]) -> dict[str, Any]:
        return _result(domain, change, event_ids[0]).model_dump()

    return await context.delivery.deliver(keyed, prepare, answer)


async def post_batch(request: web.Request) -> web.Response:
    context, domain, caller = _admitted(request)
    document = parse_json(await read_body(request, JSON_TYPES, caller))
    changes = parse_batch(document, context.options.max_batch)
    keyed = keyed_request(request, caller, f"{domain.value}/batch", _canonical(document))

    def prepare() -> list[Change]:
        now, request_id = context.clock(), request.headers[REQUEST_ID]
        built: list[Change] = []
        problems: list[FieldError] = []
        for index, change in enumerate(changes):
            item = _change(domain, change, caller, keyed, index, f"{request_id}[{index}]")
            for problem in context.checker.problems(item, now):
                problems.append(FieldError(f"[{index}].{problem.loc}", problem.msg))
            built.append(item)
        if problems:
            raise ApiProblem(422, "the batch is not valid; nothing was accepted", errors=problems)
        return built

    def answer(event_ids: Sequence[UUID]) -> dict[str, Any]:
        results = [
            _result(domain, change, event_id)
            for change, event_id in zip(changes, event_ids, strict=True)
        ]
        return BatchAccepted(accepted=len(results), results=results).model_dump()

    return await context.delivery.deliver(keyed, prepare, answer)


async def read_body(request: web.Request, types: frozenset[str], caller: Caller) -> bytes:
    """The body, once its type and size are acceptable (415 and 413 otherwise) and the
    caller's signature of it holds (401 otherwise)."""
    if request.content_type not in types:
        expected = " or ".join(sorted(types))
        raise ApiProblem(415, f"send {expected}, not {request.content_type}")
    limit = request.app[CONTEXT].options.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise ApiProblem(413, f"the body has {request.content_length} bytes; at most {limit}")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ApiProblem(413, f"the body is larger than {limit} bytes") from None
    signed = SignedRequest(
        method=request.method,
        path=request.rel_url.raw_path,
        body=body,
        timestamp=request.headers.get(TIMESTAMP_HEADER),
        signature=request.headers.get(SIGNATURE_HEADER),
    )
    if (signature := request.app[CONTEXT].gatekeeper.signature(caller, signed)) is not None:
        request[ACCEPTED_SIGNATURE] = signature
    return body


def keyed_request(
    request: web.Request, caller: Caller, route: str, body: bytes
) -> KeyedRequest | None:
    key = valid_key(request.headers.get(IDEMPOTENCY_HEADER))
    if key is None:
        return None
    return KeyedRequest(caller.agency, key, fingerprint(route, body))


def _admitted(request: web.Request) -> tuple[ApiContext, Domain, Caller]:
    """The domain of the path (404 unless this connector writes it) and the caller allowed to
    send it (401, 403)."""
    context = request.app[CONTEXT]
    name = request.match_info["domain"]
    if name not in context.spec.domains:
        raise ApiProblem(404, f"this API takes no {name!r} changes")
    domain = Domain(name)
    caller = context.gatekeeper.caller(request.headers.get("Authorization"))
    caller.require(domain)
    return context, domain, caller


def _change(
    domain: Domain,
    change: ChangeRequest,
    caller: Caller,
    keyed: KeyedRequest | None,
    index: int,
    request_id: str,
) -> Change:
    return Change(
        domain=domain,
        key=change.key,
        operation=change.operation,
        version=change.version,
        occurred_at=change.occurred_at,
        after=change.after,
        before=change.before,
        event_id=None if keyed is None else keyed_event_id(keyed.agency, keyed.key, index),
        admin_unit_code=change.admin_unit_code,
        admin_code_list=change.admin_code_list,
        correlation_id=change.correlation_id,
        causation_id=change.causation_id,
        source_position=f"http {request_id}",
        agency=caller.agency,
    )


def _result(domain: Domain, change: ChangeRequest, event_id: UUID) -> ChangeAccepted:
    return ChangeAccepted(
        event_id=str(event_id), domain=domain.value, key=change.key, version=change.version
    )


def _canonical(document: Any) -> bytes:
    """The JSON in one spelling: a retry that only reorders or re-spaces it is the same."""
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")
