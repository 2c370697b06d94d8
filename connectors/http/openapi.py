"""`GET /openapi.json`: an OpenAPI 3.1 description generated from the pydantic models.

Each domain the connector takes gets its own paths, whose request schema is `ChangeRequest`
with `after`/`before` typed as the domain's entity (the event models of lienthong.events), so
clients can generate code and validate before they send.
"""

from typing import Any, Final

from pydantic import BaseModel, Field, create_model
from pydantic.json_schema import models_json_schema

from connectors.contract import Domain
from connectors.http.answers import BatchAccepted, ChangeAccepted, Health, Problem
from connectors.http.idempotency import IDEMPOTENCY_HEADER
from connectors.http.options import HttpOptions
from connectors.http.requests import ChangeRequest
from connectors.http.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER
from connectors.spec import ConnectorSpec
from lienthong.events import Document, DocumentStatus, Dossier, LandParcel

__all__ = ["ENTITIES", "openapi_document"]

ENTITIES: Final[dict[Domain, type[BaseModel]]] = {
    Domain.DOSSIERS: Dossier,
    Domain.LAND_PARCELS: LandParcel,
    Domain.DOCUMENTS: Document,
    Domain.DOCUMENT_STATUSES: DocumentStatus,
}
_REF: Final = "#/components/schemas/{model}"
_PROBLEMS: Final = {
    "400": "Malformed JSON or Idempotency-Key.",
    "401": "Missing or unknown bearer token; missing, wrong, stale or replayed signature.",
    "403": "The token's agency may not send this domain.",
    "404": "This API takes no changes of this domain.",
    "409": "The Idempotency-Key was used for a different request, or is in use.",
    "413": "The body (or the batch) is too large.",
    "415": "Wrong Content-Type.",
    "422": "The change does not fit its schema; `errors` lists field paths.",
    "429": "The credential sends faster than its rate: wait `Retry-After` seconds.",
    "503": "Not accepting now, or Kafka did not acknowledge in time: retry (same key).",
}
_KEY_PARAMETER: Final = {
    "name": IDEMPOTENCY_HEADER,
    "in": "header",
    "required": False,
    "description": (
        "1-255 visible ASCII characters, unique per sending agency. A retry with the same key "
        "and body gets the first answer and publishes nothing more; with another body, 409. "
        "Event ids derive from agency and key. Kept for idempotency_ttl_h hours."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


def openapi_document(spec: ConnectorSpec, options: HttpOptions) -> dict[str, Any]:
    domains = [Domain(name) for name in spec.domains]
    requests = {domain: _documented_request(domain) for domain in domains}
    models: list[type[BaseModel]] = [
        *requests.values(),
        ChangeAccepted,
        BatchAccepted,
        Problem,
        Health,
    ]
    _, top = models_json_schema([(model, "validation") for model in models], ref_template=_REF)
    paths: dict[str, Any] = {}
    for domain, model in requests.items():
        item = _ref(model.__name__)
        batch = {"type": "array", "items": item, "minItems": 1, "maxItems": options.max_batch}
        paths[f"/v1/{domain.value}/changes"] = _post(domain.value, "One change.", item, "json")
        paths[f"/v1/{domain.value}/changes:batch"] = _post(
            domain.value, "Changes, all valid or none published.", batch, "json", batch=True
        )
    if Domain.DOCUMENTS in domains or Domain.DOCUMENT_STATUSES in domains:
        xml = {"type": "string", "description": "An edXML package (QCVN 102)."}
        paths["/v1/edxml"] = _post("edxml", "One edXML package.", xml, "xml", batch=True)
    paths["/health"] = {
        "get": {
            "summary": "Whether changes are accepted now.",
            "responses": {
                code: {"description": text, "content": _json(_ref("Health"))}
                for code, text in (("200", "Accepting."), ("503", "Not accepting now."))
            },
        }
    }
    paths["/openapi.json"] = {
        "get": {
            "summary": "This description.",
            "responses": {"200": {"description": "OpenAPI 3.1.", "content": _json({})}},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"lienthong push API ({spec.name})",
            "version": "1",
            "description": (
                f"Department systems push changes to the {spec.system} connector; each is "
                "answered 202 only once it is committed to Kafka."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": top["$defs"],
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


_SIGNATURE_PARAMETERS: Final = (
    {
        "name": TIMESTAMP_HEADER,
        "in": "header",
        "required": False,
        "description": "Unix seconds when the request was signed; within signature_window_s.",
        "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
    },
    {
        "name": SIGNATURE_HEADER,
        "in": "header",
        "required": False,
        "description": (
            "Hex HMAC-SHA256(hmac_secret, METHOD \\n PATH \\n TIMESTAMP \\n hex SHA-256(body)); "
            "required for credentials with require_signature. Each signature is good once."
        ),
        "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    },
)


def _documented_request(domain: Domain) -> type[BaseModel]:
    entity = ENTITIES[domain]
    typed: dict[str, Any] = {
        "after": (entity | None, Field(default=None, description="The entity after the change.")),
        "before": (entity | None, Field(default=None, description="The entity before it.")),
    }
    if domain is Domain.DOCUMENT_STATUSES:
        typed["before"] = (None, Field(default=None, description="Statuses have no before."))
    return create_model(f"{entity.__name__}ChangeRequest", __base__=ChangeRequest, **typed)


def _post(
    tag: str, summary: str, schema: dict[str, Any], kind: str, *, batch: bool = False
) -> dict[str, Any]:
    media = "application/json" if kind == "json" else "application/xml"
    accepted = _ref("BatchAccepted" if batch else "ChangeAccepted")
    responses: dict[str, Any] = {
        "202": {"description": "Committed to Kafka.", "content": _json(accepted)}
    }
    for code, text in _PROBLEMS.items():
        content = {"application/problem+json": {"schema": _ref("Problem")}}
        responses[code] = {"description": text, "content": content}
    return {
        "post": {
            "tags": [tag],
            "summary": summary,
            "parameters": [_KEY_PARAMETER, *_SIGNATURE_PARAMETERS],
            "requestBody": {"required": True, "content": {media: {"schema": schema}}},
            "responses": responses,
        }
    }


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}
