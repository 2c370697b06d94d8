"""`POST /v1/edxml`: one edXML package (a document or a status packet) as its XML.

The package is parsed by `connectors.edxml`; a broken one is refused with 422 and the parser's
reason. Its changes carry the calling agency as `source_agency` and must be of domains that
agency may send. They are checked, published and answered like a batch. Their event ids are
the parser's, derived from the package itself, so a package that also reaches the bus by
another channel (a folder, a retry without a key) is still one event at the centre.
"""

import asyncio
import dataclasses
import importlib
from collections.abc import Callable, Sequence
from typing import Any, Final
from uuid import UUID

from aiohttp import web

from connectors.contract import Change, Domain, Rejected, SourceItem
from connectors.http.answers import BatchAccepted, ChangeAccepted
from connectors.http.context import CONTEXT, REQUEST_ID
from connectors.http.handlers import keyed_request, read_body
from connectors.http.problems import ApiProblem, FieldError
from lienthong.errors import DeadLetterError

__all__ = ["XML_TYPES", "post_edxml"]

XML_TYPES: Final = frozenset({"application/xml", "text/xml"})
_EDXML_DOMAINS: Final = (Domain.DOCUMENTS, Domain.DOCUMENT_STATUSES)


async def post_edxml(request: web.Request) -> web.Response:
    context = request.app[CONTEXT]
    if not any(domain.value in context.spec.domains for domain in _EDXML_DOMAINS):
        raise ApiProblem(404, "this API takes no edXML documents")
    caller = context.gatekeeper.caller(request.headers.get("Authorization"))
    if not any(domain in caller.domains for domain in _EDXML_DOMAINS):
        raise ApiProblem(403, f"agency {caller.agency} may not send edXML documents")
    package = await read_body(request, XML_TYPES, caller)
    keyed = keyed_request(request, caller, "edxml", package)
    request_id = request.headers[REQUEST_ID]
    items = await asyncio.to_thread(_parsed, _parser(), package, f"http {request_id}")
    if rejected := [item for item in items if isinstance(item, Rejected)]:
        errors = [FieldError("(package)", item.reason) for item in rejected]
        raise ApiProblem(422, "the edXML package is not valid", errors=errors)
    changes = [item for item in items if isinstance(item, Change)]
    if not changes:
        raise ApiProblem(422, "the edXML package holds no document or status")
    for change in changes:
        caller.require(change.domain)

    def prepare() -> list[Change]:
        now = context.clock()
        built: list[Change] = []
        problems: list[FieldError] = []
        for change in changes:
            item = dataclasses.replace(change, agency=caller.agency)
            problems.extend(context.checker.problems(item, now))
            built.append(item)
        if problems:
            raise ApiProblem(422, "the edXML package is not valid", errors=problems)
        return built

    def answer(event_ids: Sequence[UUID]) -> dict[str, Any]:
        results = [
            ChangeAccepted(
                event_id=str(event_id),
                domain=change.domain.value,
                key=change.key,
                version=change.version,
            )
            for change, event_id in zip(changes, event_ids, strict=True)
        ]
        return BatchAccepted(accepted=len(results), results=results).model_dump()

    return await context.delivery.deliver(keyed, prepare, answer)


Parser = Callable[..., list[SourceItem]]


def _parser() -> Parser:
    """The edXML parser, imported on first use: a process without it still serves JSON."""
    try:
        module = importlib.import_module("connectors.edxml")
    except ImportError as exc:
        raise ApiProblem(501, "this installation has no edXML parser") from exc
    parser: Parser = module.changes_from_edxml
    return parser


def _parsed(parser: Parser, package: bytes, received_as: str) -> list[SourceItem]:
    try:
        return parser(package, received_as=received_as)
    except DeadLetterError as exc:
        raise ApiProblem(422, f"the edXML package is broken: {exc.reason}") from exc
