"""Idempotency keys of the push API: the store keeps the first answer until it expires, and a
keyed retry is answered from it without publishing again."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from connectors.contract import Change, Domain
from connectors.http.delivery import REPLAYED_HEADER, Delivery, KeyedRequest
from connectors.http.idempotency import (
    IdempotencyStore,
    StoredAnswer,
    fingerprint,
    keyed_event_id,
    valid_key,
)
from connectors.http.idempotency_postgres import PostgresIdempotencyStore
from connectors.http.idempotency_sqlite import SqliteIdempotencyStore
from connectors.http.intake import Intake
from connectors.http.problems import ApiProblem
from lienthong.events import Operation

T0 = datetime(2025, 8, 1, 3, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_key_is_one_to_255_visible_ascii_characters() -> None:
    assert valid_key(None) is None
    assert valid_key("order-42:retry") == "order-42:retry"
    for bad in ("", "has space", "khoá", "x" * 256):
        with pytest.raises(ApiProblem) as caught:
            valid_key(bad)
        assert caught.value.status == 400


def test_event_ids_and_fingerprints_are_derived_not_drawn() -> None:
    assert keyed_event_id("A", "k", 0) == keyed_event_id("A", "k", 0)
    assert len({keyed_event_id("A", "k", 0), keyed_event_id("B", "k", 0)}) == 2
    assert len({keyed_event_id("A", "k", 0), keyed_event_id("A", "k", 1)}) == 2
    assert fingerprint("dossiers/change", b"{}") != fingerprint("dossiers/batch", b"{}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[IdempotencyStore]:
    chosen: IdempotencyStore
    if request.param == "postgres":
        chosen = PostgresIdempotencyStore(request.getfixturevalue("postgres_dsn"), "push-api")
    else:
        chosen = SqliteIdempotencyStore(tmp_path / "keys.db", "push-api")
    await chosen.open()
    yield chosen
    await chosen.close()


async def test_the_first_answer_stays_until_it_expires(store: IdempotencyStore) -> None:
    first = StoredAnswer("f1", 202, '{"event_id": "1"}')
    assert await store.find("A", "k", T0) is None
    await store.remember("A", "k", first, now=T0, expires_at=T0 + HOUR)
    await store.remember("A", "k", StoredAnswer("f2", 202, "{}"), now=T0, expires_at=T0 + HOUR)
    assert await store.find("A", "k", T0 + HOUR / 2) == first
    assert await store.find("B", "k", T0) is None  # keys are per agency

    later = T0 + 2 * HOUR
    assert await store.find("A", "k", later) is None
    second = StoredAnswer("f2", 202, "{}")
    await store.remember("A", "k", second, now=later, expires_at=later + HOUR)
    assert await store.find("A", "k", later) == second
    assert await store.forget_expired(later + 2 * HOUR) == 1


def change(key: str) -> Change:
    return Change(Domain.DOSSIERS, key, Operation.CREATE, 1, T0, {"dossier_no": key})


class FakeRunner:
    """Takes what the intake holds and resolves its receipts as a committed transaction would."""

    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self.published: list[uuid.UUID] = []

    async def run(self, stop: asyncio.Event) -> None:
        self.intake.open(stop)
        try:
            while (submission := await self.intake.take(stop)) is not None:
                for item in submission.changes:
                    event_id = item.event_id or uuid.uuid4()
                    self.published.append(event_id)
                    assert item.receipt is not None
                    item.receipt.published(event_id)
        finally:
            self.intake.close()


def answer(event_ids: Sequence[uuid.UUID]) -> dict[str, Any]:
    return {"event_ids": [str(event_id) for event_id in event_ids]}


def body(response: web.Response) -> Any:
    assert isinstance(response.body, bytes)
    return json.loads(response.body)


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[IdempotencyStore]:
    store = SqliteIdempotencyStore(tmp_path / "keys.db", "push-api")
    await store.open()
    yield store
    await store.close()


async def test_a_keyed_retry_gets_the_first_answer_and_publishes_nothing(
    sqlite_store: IdempotencyStore,
) -> None:
    intake = Intake()
    delivery = Delivery(intake, sqlite_store, ttl=HOUR, ack_timeout_s=5.0)
    runner = FakeRunner(intake)
    stop = asyncio.Event()
    running = asyncio.create_task(runner.run(stop))
    await asyncio.sleep(0)
    keyed = KeyedRequest("A", "k-1", "f")
    event_id = keyed_event_id("A", "k-1", 0)
    prepared = [replace(change("H41-1"), event_id=event_id)]

    first = await delivery.deliver(keyed, lambda: prepared, answer)
    again = await delivery.deliver(keyed, lambda: prepared, answer)
    assert (first.status, again.status) == (202, 202)
    assert body(first) == body(again) == {"event_ids": [str(event_id)]}
    assert again.headers[REPLAYED_HEADER] == "true"
    assert runner.published == [event_id]

    with pytest.raises(ApiProblem) as caught:
        await delivery.deliver(KeyedRequest("A", "k-1", "other"), lambda: prepared, answer)
    assert caught.value.status == 409
    stop.set()
    await running


async def test_no_reader_means_503_and_a_caller_who_gave_up_is_withdrawn(
    sqlite_store: IdempotencyStore,
) -> None:
    intake = Intake()
    delivery = Delivery(intake, sqlite_store, ttl=HOUR, ack_timeout_s=0.1)
    with pytest.raises(ApiProblem) as caught:
        await delivery.deliver(None, lambda: [change("H41-2")], answer)
    assert caught.value.status == 503  # the intake is not open

    stop = asyncio.Event()
    intake.open(stop)  # open, but nobody takes: the ack never comes
    with pytest.raises(ApiProblem, match="nothing was published") as caught:
        await delivery.deliver(None, lambda: [change("H41-3")], answer)
    assert caught.value.status == 503

    runner = FakeRunner(intake)
    running = asyncio.create_task(runner.run(stop))
    later = replace(change("H41-4"), event_id=uuid.uuid4())
    patient = Delivery(intake, sqlite_store, ttl=HOUR, ack_timeout_s=10.0)
    assert (await patient.deliver(None, lambda: [later], answer)).status == 202
    assert runner.published == [later.event_id]  # the withdrawn request was never read
    stop.set()
    await running
