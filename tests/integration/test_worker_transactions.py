"""The worker applies what the connectors' Kafka transactions committed, nothing else, and
keeps the group's offsets in Kafka where the centre is, so Kafka's own view of the lag is
true."""

import asyncio
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from lienthong.codec import SCHEMA_HEADER
from lienthong.events import DossierChange, Operation
from lienthong.settings import Settings
from schemas import DOSSIER_CHANGE
from streams.centre import read_dossier, read_offsets
from tests.integration.test_streams_worker import (
    WAIT_S,
    centre_engine,
    change,
    kafka_committed,
    running_worker,
)
from tests.wire import encode_changes

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("centre_bus", ["sqlite"], indirect=True),
]


async def send_in_transaction(
    settings: Settings, changes: list[DossierChange], *, commit: bool
) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        transactional_id=f"{settings.streams.app_id}-test-producer",
    )
    await producer.start()
    try:
        await producer.begin_transaction()
        for event, value in zip(changes, await encode_changes(settings, changes), strict=True):
            await producer.send_and_wait(
                settings.topics.dossiers,
                key=event.envelope.entity_key.encode(),
                value=value,
                headers=[(SCHEMA_HEADER, DOSSIER_CHANGE.encode())],
            )
        if commit:
            await producer.commit_transaction()
        else:
            await producer.abort_transaction()
    finally:
        await producer.stop()


async def test_an_aborted_transaction_never_reaches_the_centre(
    centre_bus: Settings, log_path: Path
) -> None:
    settings = centre_bus
    committed = [change(f"HS-KEPT-{i}", 1, Operation.CREATE) for i in range(6)]
    with running_worker(settings, log_path) as worker:
        await send_in_transaction(
            settings, [change("HS-ABORTED", 1, Operation.CREATE)], commit=False
        )
        await send_in_transaction(settings, committed, commit=True)
        async with centre_engine(settings) as engine:

            def all_kept() -> bool:
                try:
                    return all(read_dossier(engine, f"HS-KEPT-{i}") for i in range(6))
                except Exception:  # the worker has not created the tables yet
                    return False

            await worker.wait_for("the committed transaction in the centre", all_kept)
            assert read_dossier(engine, "HS-ABORTED") is None, "an aborted change was applied"

            centre = read_offsets(engine, settings.streams.app_id, settings.topics.dossiers)

            deadline = time.monotonic() + WAIT_S
            while (kafka := await kafka_committed(settings)) != centre:
                assert time.monotonic() < deadline, f"Kafka's group at {kafka}, centre at {centre}"
                await asyncio.sleep(0.5)
