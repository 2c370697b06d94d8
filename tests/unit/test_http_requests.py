"""The push API's request checks: bad JSON, wrong types and invalid entities are refused with
the status and the field paths a caller needs, before anything is queued."""

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from connectors.contract import Change, Domain
from connectors.http.auth import Gatekeeper
from connectors.http.checking import ChangeChecker
from connectors.http.openapi import openapi_document
from connectors.http.options import Credential, HttpOptions, token_digest
from connectors.http.problems import ApiProblem
from connectors.http.requests import ChangeRequest, parse_batch, parse_change, parse_json
from connectors.spec import ConnectorSpec
from lienthong.events import AdminCodeList, Operation
from lienthong.settings import TopicSettings
from tests.factories import dossier_change

NOW = datetime(2025, 8, 1, 3, 0, tzinfo=UTC)
SPEC = ConnectorSpec(
    name="push-api",
    kind="http",
    agency="000.00.00.H41",
    system="push",
    domains=("dossiers", "document_statuses"),
)


def dossier_json(no: str = "H41.01-250801-0001", version: int = 1) -> dict[str, Any]:
    dossier = dossier_change(no, version).after
    assert dossier is not None
    return dossier.model_dump(mode="json")


def change_json(**overrides: Any) -> dict[str, Any]:
    document = {
        "key": "H41.01-250801-0001",
        "operation": "UPDATE",
        "version": 1,
        "occurred_at": "2025-08-01T10:00:00+07:00",
        "after": dossier_json(),
    }
    return document | overrides


def refused(call: Any, *args: Any) -> ApiProblem:
    with pytest.raises(ApiProblem) as caught:
        call(*args)
    return caught.value


def locs(problem: ApiProblem) -> list[str]:
    return [error.loc for error in problem.errors]


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"version": NaN}', b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000],
    ids=["syntax", "nan", "not-utf8", "deep"],
)
def test_a_body_that_is_not_json_is_a_400(body: bytes) -> None:
    assert refused(parse_json, body).status == 400


def test_a_valid_change_is_read_with_its_offset_kept() -> None:
    change = parse_change(change_json())
    assert change.operation is Operation.UPDATE
    assert change.occurred_at == datetime(2025, 8, 1, 3, 0, tzinfo=UTC)


def test_wrong_types_are_422_naming_each_field() -> None:
    problem = refused(
        parse_change,
        change_json(version="3", occurred_at="2025-08-01T10:00:00", key=12, colour="red"),
    )
    assert problem.status == 422
    assert sorted(locs(problem)) == ["colour", "key", "occurred_at", "version"]


def test_a_change_without_after_is_refused_unless_it_deletes() -> None:
    assert refused(parse_change, change_json(after=None)).status == 422
    assert parse_change(change_json(operation="DELETE", after=None)).after is None


@pytest.mark.parametrize(
    ("named", "code_list"),
    [
        ("VN2004", AdminCodeList.VN2004),
        ("vn2025", AdminCodeList.VN2025),
        ("2025", AdminCodeList.VN2025),
        (None, None),
    ],
)
def test_the_code_list_of_the_admin_unit_code_is_read(
    named: str | None, code_list: AdminCodeList | None
) -> None:
    change = parse_change(change_json(admin_unit_code="17683", admin_code_list=named))
    assert change.admin_code_list is code_list
    assert parse_change(change_json()).admin_code_list is None, "absent: the connector's"


@pytest.mark.parametrize("named", ["VN1999", "", "UNKNOWN", 2030])
def test_a_code_list_that_is_not_one_is_422_naming_the_field(named: Any) -> None:
    problem = refused(parse_change, change_json(admin_code_list=named))
    assert problem.status == 422
    assert locs(problem) == ["admin_code_list"]
    assert "is not an administrative code list" in problem.errors[0].msg
    in_batch = refused(parse_batch, [change_json(), change_json(admin_code_list=named)], 10)
    assert locs(in_batch) == ["[1].admin_code_list"]


def test_a_body_that_is_not_an_object_is_422() -> None:
    assert refused(parse_change, [change_json()]).status == 422


def test_a_batch_names_the_problems_of_each_item_by_index() -> None:
    problem = refused(parse_batch, [change_json(), change_json(version=-1), "x"], 10)
    assert problem.status == 422
    assert locs(problem) == ["[1].version", "[2]"]


def test_a_batch_beyond_the_limit_is_413_and_an_empty_one_422() -> None:
    assert refused(parse_batch, [change_json()] * 3, 2).status == 413
    assert refused(parse_batch, [], 2).status == 422


@pytest.fixture
async def checker() -> ChangeChecker:
    return await ChangeChecker.create(SPEC, TopicSettings(), [Domain.DOSSIERS])


def as_change(request: dict[str, Any], domain: Domain = Domain.DOSSIERS) -> Change:
    parsed = ChangeRequest.model_validate(request)
    return Change(
        domain=domain,
        key=parsed.key,
        operation=parsed.operation,
        version=parsed.version,
        occurred_at=parsed.occurred_at,
        after=parsed.after,
        before=parsed.before,
        agency="000.00.12.H41",
    )


async def test_a_valid_dossier_passes_the_runners_own_checks(checker: ChangeChecker) -> None:
    assert checker.problems(as_change(change_json()), NOW) == []


async def test_entity_problems_are_named_by_their_path_in_the_request(
    checker: ChangeChecker,
) -> None:
    after = dossier_json()
    del after["applicant"]["name"]
    after["fee_vnd"] = -5
    after["steps"][0]["action"] = ""
    problems = checker.problems(as_change(change_json(after=after)), NOW)
    assert {p.loc for p in problems} == {
        "after.applicant.name",
        "after.fee_vnd",
        "after.steps[0].action",
    }


async def test_a_value_the_avro_schema_cannot_hold_is_caught_too(checker: ChangeChecker) -> None:
    after = dossier_json() | {"fee_vnd": 2**70}  # a valid Python int, beyond an Avro long
    problems = checker.problems(as_change(change_json(after=after)), NOW)
    assert [p.loc for p in problems] == ["after.fee_vnd"]


async def test_a_domain_the_connector_does_not_write_is_refused(checker: ChangeChecker) -> None:
    change = as_change(change_json(), Domain.DOCUMENT_STATUSES)
    assert checker.problems(change, NOW)


def credential(agency: str, token: str, *domains: str) -> Credential:
    return Credential.model_validate({"agency": agency, "token": token, "domains": domains})


def test_the_bearer_token_names_the_agency_and_its_domains() -> None:
    hashed = Credential.model_validate(
        {"agency": "B", "token_sha256": token_digest("t-b").upper(), "domains": ["dossiers"]}
    )
    gate = Gatekeeper([credential("A", "t-a", "document_statuses"), hashed])
    assert gate.caller("Bearer t-b").agency == "B"
    caller = gate.caller("bearer t-a")
    assert caller.agency == "A"
    assert refused(caller.require, Domain.DOSSIERS).status == 403
    for header in (None, "", "Bearer", "Basic dC1h", "Bearer nope"):
        assert refused(gate.caller, header).status == 401


def test_a_credential_has_exactly_one_token_and_tokens_are_distinct() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        Credential.model_validate({"agency": "A", "domains": ["dossiers"]})
    twice = [{"agency": a, "token": "same", "domains": ["dossiers"]} for a in "AB"]
    with pytest.raises(ValidationError, match="share one token"):
        HttpOptions.model_validate({"credentials": twice})


def test_the_openapi_document_types_each_domains_requests_with_its_entity() -> None:
    options = HttpOptions(credentials=(credential("A", "t", "dossiers"),))
    document = json.loads(json.dumps(openapi_document(SPEC, options)))
    assert document["openapi"] == "3.1.0"
    assert {"/v1/dossiers/changes", "/v1/dossiers/changes:batch", "/v1/edxml"} <= set(
        document["paths"]
    )
    schemas = document["components"]["schemas"]
    after = schemas["DossierChangeRequest"]["properties"]["after"]
    assert {"$ref": "#/components/schemas/Dossier"} in after["anyOf"]
    for ref in _refs(document):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref


def test_the_openapi_document_says_which_code_lists_are_accepted() -> None:
    options = HttpOptions(credentials=(credential("A", "t", "dossiers"),))
    schemas = openapi_document(SPEC, options)["components"]["schemas"]
    field = schemas["DossierChangeRequest"]["properties"]["admin_code_list"]
    assert field["type"] == ["string", "null"]
    assert all(re.match(field["pattern"], named) for named in ("VN2004", "vn2025", "2004"))
    assert not re.match(field["pattern"], "VN1999")


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []
