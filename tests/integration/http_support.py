"""What the push API's tests share: the connector under test, its callers' credentials, and a
client that sends again with its idempotency key until it is answered 202."""

import asyncio
import time
from typing import Any

import aiohttp

from connectors.http import token_digest
from connectors.spec import ConnectorSpec
from lienthong.settings import Settings
from tests.factories import dossier_change

__all__ = [
    "COMMUNE",
    "COMMUNE_TOKEN",
    "MAX_BODY",
    "OFFICE",
    "OFFICE_TOKEN",
    "WAIT_S",
    "bearer",
    "change_json",
    "http_spec",
    "post_until_accepted",
    "wait_until_accepting",
]

COMMUNE, COMMUNE_TOKEN = "000.00.12.H41", "commune-12-secret"
OFFICE, OFFICE_TOKEN = "000.00.13.H41", "office-13-secret"
MAX_BODY = 64 * 1024
WAIT_S = 60.0


def http_spec(settings: Settings, port: int) -> ConnectorSpec:
    return ConnectorSpec(
        name=settings.connector.name,
        kind="http",
        agency="000.00.00.H41",
        system="push-api",
        domains=("dossiers", "documents", "document_statuses"),
        batch_size=50,
        options={
            "port": port,
            "max_body_bytes": MAX_BODY,
            "max_batch": 20,
            "credentials": [
                {"agency": COMMUNE, "token": COMMUNE_TOKEN, "domains": ["dossiers"]},
                {
                    "agency": OFFICE,
                    "token_sha256": token_digest(OFFICE_TOKEN),
                    "domains": ["documents", "document_statuses"],
                },
            ],
        },
    )


def change_json(no: str, seq: int, **overrides: Any) -> dict[str, Any]:
    """Change `seq` of dossier `no`: its version, and its status says `seq-<seq>`."""
    dossier = dossier_change(no, 1).after
    assert dossier is not None
    after = dossier.model_dump(mode="json") | {"status": f"seq-{seq}"}
    document = {
        "key": no,
        "operation": "CREATE" if seq == 1 else "UPDATE",
        "version": seq,
        "occurred_at": f"2025-08-01T10:{seq // 60:02d}:{seq % 60:02d}+07:00",
        "after": after,
    }
    return document | overrides


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


async def post_until_accepted(
    session: aiohttp.ClientSession, url: str, document: Any, key: str
) -> dict[str, Any]:
    """POST as a careful client does: on 503 or no connection, send it again with its key."""
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            async with session.post(
                url, json=document, headers=bearer(COMMUNE_TOKEN, **{"Idempotency-Key": key})
            ) as answer:
                if answer.status == 202:
                    accepted: dict[str, Any] = await answer.json()
                    return accepted
                assert answer.status == 503, await answer.text()
        except aiohttp.ClientConnectionError:
            pass
        assert time.monotonic() < deadline, f"{url} never accepted {key}"
        await asyncio.sleep(0.2)


async def wait_until_accepting(url: str, task: "asyncio.Task[None]") -> None:
    deadline = time.monotonic() + WAIT_S
    async with aiohttp.ClientSession() as session:
        while True:
            assert not task.done(), "the connector stopped by itself"
            try:
                async with session.get(f"{url}/health") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            assert time.monotonic() < deadline, "the push API never accepted changes"
            await asyncio.sleep(0.1)
