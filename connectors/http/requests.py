"""The JSON a caller posts, read into `ChangeRequest`s: every problem becomes a field path.

A change is `{key, operation, version, occurred_at, after, before?, admin_unit_code?,
admin_code_list?, correlation_id?, causation_id?}`; `after` (and `before`) are the entity in
the domain's JSON shape, checked later against the domain's event model
(`connectors.http.checking`).
"""

import json
from collections.abc import Sequence
from typing import Any, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from connectors.admin_code_lists import SentCodeList
from connectors.http.problems import ApiProblem, FieldError
from lienthong.events import Operation

__all__ = [
    "ChangeRequest",
    "field_path",
    "parse_batch",
    "parse_change",
    "parse_json",
    "validation_errors",
]


class ChangeRequest(BaseModel):
    """One change of one entity, as the sending system describes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, max_length=512, description="The entity's key in its domain.")
    operation: Operation = Field(description="CREATE, UPDATE, DELETE or SNAPSHOT.")
    version: int = Field(
        ge=0, strict=True, description="Increases with every change of the entity."
    )
    occurred_at: AwareDatetime = Field(description="When the change happened, with its offset.")
    after: dict[str, Any] | None = Field(
        default=None, description="The entity after the change; null only for DELETE."
    )
    before: dict[str, Any] | None = Field(
        default=None, description="The entity before the change, when the sender knows it."
    )
    admin_unit_code: str | None = Field(default=None, max_length=32)
    admin_code_list: SentCodeList = Field(
        default=None,
        description="The code list admin_unit_code follows: VN2004 or VN2025 (any case), or "
        "2004 or 2025; absent: the connector's code_list.",
    )
    correlation_id: str | None = Field(default=None, max_length=200)
    causation_id: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _state_matches_operation(self) -> Self:
        if self.operation is Operation.UNKNOWN:
            raise ValueError("operation must be CREATE, UPDATE, DELETE or SNAPSHOT")
        if self.after is None and self.operation is not Operation.DELETE:
            raise ValueError(f"after is required for {self.operation.value}")
        return self


def parse_json(body: bytes) -> Any:
    """The JSON document in `body`; 400 when it is not JSON (or nests beyond reason)."""
    try:
        return json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ApiProblem(400, f"the body is not valid JSON: {_short(exc)}") from exc


def parse_change(document: Any) -> ChangeRequest:
    """One change; 422 listing every problem in it."""
    if not isinstance(document, dict):
        raise ApiProblem(422, "the body must be a JSON object (one change)")
    try:
        return ChangeRequest.model_validate(document)
    except ValidationError as exc:
        raise ApiProblem(422, "the change is not valid", errors=validation_errors(exc)) from exc


def parse_batch(document: Any, max_batch: int) -> list[ChangeRequest]:
    """Every change of a batch, or 422 listing the problems of each item as `[i].field`."""
    if not isinstance(document, list) or not document:
        raise ApiProblem(422, "the body must be a non-empty JSON array of changes")
    if len(document) > max_batch:
        raise ApiProblem(413, f"{len(document)} changes; a batch holds at most {max_batch}")
    requests: list[ChangeRequest] = []
    errors: list[FieldError] = []
    for index, item in enumerate(document):
        if not isinstance(item, dict):
            errors.append(FieldError(f"[{index}]", "must be a JSON object (one change)"))
            continue
        try:
            requests.append(ChangeRequest.model_validate(item))
        except ValidationError as exc:
            errors.extend(validation_errors(exc, prefix=(index,)))
    if errors:
        raise ApiProblem(422, "the batch is not valid; nothing was accepted", errors=errors)
    return requests


def validation_errors(error: ValidationError, prefix: Sequence[str | int] = ()) -> list[FieldError]:
    return [
        FieldError(field_path((*prefix, *problem["loc"])), problem["msg"])
        for problem in error.errors(include_url=False, include_input=False)
    ]


def field_path(parts: Sequence[str | int]) -> str:
    """`("after", "steps", 0, "action")` as `after.steps[0].action`."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path or "(body)"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _short(error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return str(error)[:200]
