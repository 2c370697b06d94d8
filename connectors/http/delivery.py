"""From checked changes to the 202: submit, wait for Kafka, remember the answer by its key.

A request with an `Idempotency-Key` holds that key (per agency) while it runs, so a retry sent
meanwhile waits for the first one's answer instead of publishing twice. The answer is stored
only once every change of the request is in a committed Kafka transaction.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from uuid import UUID

import structlog
from aiohttp import web

from connectors.contract import Change, Receipt
from connectors.http.idempotency import IdempotencyStore, StoredAnswer
from connectors.http.intake import Intake
from connectors.http.problems import ApiProblem, json_response
from lienthong.errors import RetriableError

__all__ = ["REPLAYED_HEADER", "Delivery", "KeyedRequest"]

log = structlog.get_logger(__name__)

REPLAYED_HEADER: Final = "Idempotent-Replayed"
_ACCEPTED: Final = 202
_PURGE_EVERY: Final = timedelta(hours=1)
_REMEMBER_S: Final = 2.0
"""At close, how long answers committed to Kafka get to reach the idempotency store."""

Answer = Callable[[Sequence[UUID]], dict[str, Any]]
"""The 202 body, given the event ids of the request's changes in order."""


@dataclass(frozen=True, slots=True)
class KeyedRequest:
    agency: str
    key: str
    fingerprint: str


class Delivery:
    def __init__(
        self,
        intake: Intake,
        store: IdempotencyStore,
        *,
        ttl: timedelta,
        ack_timeout_s: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._intake = intake
        self._store = store
        self._ttl = ttl
        self._ack_timeout_s = ack_timeout_s
        self._clock = clock
        self._holders: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}
        self._outcomes: set[asyncio.Task[dict[str, Any]]] = set()
        self._purged_at = clock()

    async def deliver(
        self,
        keyed: KeyedRequest | None,
        prepare: Callable[[], Sequence[Change]],
        answer: Answer,
    ) -> web.Response:
        """Publish what `prepare` returns (it raises ApiProblem for a bad request) and answer
        202 once Kafka committed it; a key answered before gets that answer again."""
        if keyed is None:
            return await self._publish(prepare(), answer, None)
        async with self._holding(keyed):
            try:
                stored = await self._store.find(keyed.agency, keyed.key, self._clock())
            except RetriableError as exc:
                raise ApiProblem(503, f"idempotency keys cannot be checked now: {exc}") from exc
            if stored is not None:
                if stored.fingerprint != keyed.fingerprint:
                    raise ApiProblem(409, "this Idempotency-Key was used for a different request")
                replayed = json.loads(stored.body)
                return json_response(replayed, stored.status, headers={REPLAYED_HEADER: "true"})
            return await self._publish(prepare(), answer, keyed)

    async def close(self) -> None:
        """Let outcomes that are being remembered finish; stop waiting for the others."""
        outcomes = list(self._outcomes)
        if outcomes:
            await asyncio.wait(outcomes, timeout=_REMEMBER_S)
        for outcome in outcomes:
            outcome.cancel()
        await asyncio.gather(*outcomes, return_exceptions=True)

    async def _publish(
        self, changes: Sequence[Change], answer: Answer, keyed: KeyedRequest | None
    ) -> web.Response:
        changes = [replace(change, receipt=Receipt()) for change in changes]
        submission = self._intake.submit(changes)
        # The outcome outlives a caller who gave up: its key is still remembered once
        # Kafka commits, so the retry is answered from the store.
        outcome = asyncio.create_task(self._outcome(changes, answer, keyed))
        self._outcomes.add(outcome)
        outcome.add_done_callback(_forget(self._outcomes))
        try:
            async with asyncio.timeout(self._ack_timeout_s):
                body = await asyncio.shield(outcome)
        except TimeoutError:
            if self._intake.withdraw(submission):
                raise ApiProblem(
                    503,
                    "Kafka did not take the request in time; nothing was published: send it again",
                    headers={"Retry-After": "1"},
                ) from None
            raise ApiProblem(
                503,
                "Kafka did not acknowledge the request in time; it may still be published: "
                "send it again with the same Idempotency-Key",
                headers={"Retry-After": "1"},
            ) from None
        return json_response(body, _ACCEPTED)

    async def _outcome(
        self, changes: Sequence[Change], answer: Answer, keyed: KeyedRequest | None
    ) -> dict[str, Any]:
        event_ids: list[UUID] = []
        for change in changes:
            assert change.receipt is not None  # _publish gave every change one
            try:
                event_id = await change.receipt.wait()
            except Exception as exc:
                raise ApiProblem(
                    503, f"not published, send it again: {exc}", headers={"Retry-After": "1"}
                ) from exc
            if event_id is None:
                # the request check runs the runner's own validation: this is a bug, not input
                raise ApiProblem(500, f"change {change.key} went to the dead-letter topic")
            event_ids.append(event_id)
        body = answer(event_ids)
        if keyed is not None:
            await self._remember(keyed, body)
        return body

    async def _remember(self, keyed: KeyedRequest, body: dict[str, Any]) -> None:
        now = self._clock()
        stored = StoredAnswer(keyed.fingerprint, _ACCEPTED, json.dumps(body, ensure_ascii=False))
        try:
            await self._store.remember(
                keyed.agency, keyed.key, stored, now=now, expires_at=now + self._ttl
            )
            if now - self._purged_at >= _PURGE_EVERY:
                self._purged_at = now
                await self._store.forget_expired(now)
        except RetriableError as exc:
            # published all the same: a retry republishes the same event ids, stored once
            log.warning("idempotency key not remembered", agency=keyed.agency, error=str(exc))

    @asynccontextmanager
    async def _holding(self, keyed: KeyedRequest) -> AsyncIterator[None]:
        name = (keyed.agency, keyed.key)
        lock, users = self._holders.get(name, (asyncio.Lock(), 0))
        self._holders[name] = (lock, users + 1)
        try:
            try:
                async with asyncio.timeout(self._ack_timeout_s):
                    await lock.acquire()
            except TimeoutError:
                raise ApiProblem(
                    409, "a request with this Idempotency-Key is still in progress"
                ) from None
            try:
                yield
            finally:
                lock.release()
        finally:
            lock, users = self._holders[name]
            if users == 1:
                del self._holders[name]
            else:
                self._holders[name] = (lock, users - 1)


def _forget(
    outcomes: set[asyncio.Task[dict[str, Any]]],
) -> Callable[[asyncio.Task[dict[str, Any]]], None]:
    def done(task: asyncio.Task[dict[str, Any]]) -> None:
        outcomes.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a caller who gave up already had its answer

    return done
