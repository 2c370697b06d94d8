"""The push API against its own OpenAPI document: requests generated from the document the
running connector serves (`lienthong connect run`, real Kafka behind it), valid and
invalid, with and without credentials. Never a 5xx, every answer as the document says."""

import asyncio
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics
from tests.cli_env import lienthong_env
from tests.conftest import free_port
from tests.integration.http_support import COMMUNE_TOKEN, bearer, http_spec

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

EXAMPLES = 25
"""Per operation and caller; LIENTHONG_FUZZ_EXAMPLES does not apply (each is a request)."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def push_api(bus_settings: Settings, tmp_path: Path) -> Iterator[str]:
    asyncio.run(ensure_topics(bus_settings, bus_topics(bus_settings)))
    port = free_port()
    spec = http_spec(bus_settings, port).model_dump(mode="json")
    connectors = tmp_path / "connectors.yaml"
    connectors.write_text(json.dumps({"connectors": [spec]}), encoding="utf-8")
    log_path = tmp_path / "push-api.log"
    env = lienthong_env(bus_settings, LIENTHONG_LOG__JSON_LINES="true")
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "lienthong", "connect", "run", str(connectors)],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(url, process, log_path)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log_path.read_text(encoding="utf-8")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return  # 200: accepting changes (503 while it starts, an HTTPError)
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the push API never answered\n{log_path.read_text(encoding='utf-8')}")


def _fuzz(operation: Any, base_url: str, headers: dict[str, str], seen: set[int]) -> None:
    """`EXAMPLES` generated requests to one operation, each answer checked against it."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case: schemathesis.Case[Any]) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        seen.add(response.status_code)
        case.validate_response(response, checks=CHECKS)

    answers_as_documented()


def test_every_operation_answers_as_its_document_says(push_api: str) -> None:
    schema = schemathesis.openapi.from_url(f"{push_api}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    paths = {op.path for op in operations}
    assert "/v1/edxml" in paths and any(p.endswith("/changes") for p in paths), paths
    statuses: dict[tuple[str, bool], set[int]] = {}
    for operation in operations:
        for signed_in in (True, False):
            headers = bearer(COMMUNE_TOKEN) if signed_in else {}
            seen = statuses.setdefault(
                (f"{operation.method.upper()} {operation.path}", signed_in), set()
            )
            _fuzz(operation, push_api, headers, seen)
    without_credentials = [
        seen for (key, signed_in), seen in statuses.items() if not signed_in and "/v1/" in key
    ]
    assert without_credentials and all(seen == {401} for seen in without_credentials), statuses
    assert all(code < 500 for seen in statuses.values() for code in seen), statuses
