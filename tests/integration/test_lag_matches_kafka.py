"""`lienthong lag` says what Kafka's own kafka-consumer-groups says, partition by partition.

Kafka's ConsumerGroupCommand runs from the jars the session's broker runs from.
"""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from lienthong.devkafka.tools import find_java
from lienthong.settings import Settings
from lienthong.topics import TopicSpec, ensure_topics
from tests.cli_env import lienthong_env
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.integration

LIBS = REPO_ROOT / "var" / "kafka" / "libs"
RECORDS = {0: 7, 1: 5, 2: 4}
"""Records produced per partition."""
COMMITTED = {0: 7, 1: 2, 2: 0}
"""What the group committed: all of partition 0, part of 1, none of 2's records."""
Row = tuple[int, int, int]
"""(current offset, log end offset, lag) of one partition."""


async def make_group(settings: Settings, group: str) -> str:
    topic = settings.topics.dossiers
    await ensure_topics(settings, [TopicSpec(topic, 3, 1)])
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for partition, count in RECORDS.items():
            for n in range(count):
                await producer.send_and_wait(topic, f"hồ sơ {n}".encode(), partition=partition)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        tps = {p: TopicPartition(topic, p) for p in RECORDS}
        consumer.assign(list(tps.values()))
        await consumer.seek_to_beginning()
        for partition, offset in COMMITTED.items():
            if offset:
                await consumer.getmany(tps[partition], timeout_ms=2000, max_records=offset)
        await consumer.commit({tps[p]: offset for p, offset in COMMITTED.items()})
    finally:
        await consumer.stop()
    return topic


def kafka_says(bootstrap: str, group: str, topic: str) -> dict[int, Row]:
    if not list(LIBS.glob("kafka-tools-*.jar")):
        pytest.fail(f"{LIBS} lacks kafka-tools: resolve the broker's jars again (`dev up`)")
    command = [
        str(find_java()),
        "-cp",
        f"{LIBS}/*",
        "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
        "--bootstrap-server",
        bootstrap,
        "--describe",
        "--group",
        group,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line.split() for line in done.stdout.splitlines() if line.strip()]
    (header,) = [line for line in lines if line[:2] == ["GROUP", "TOPIC"]]
    column = {name: at for at, name in enumerate(header)}
    rows = [line for line in lines if line[0] == group and line[column["TOPIC"]] == topic]
    return {
        int(row[column["PARTITION"]]): (
            int(row[column["CURRENT-OFFSET"]]),
            int(row[column["LOG-END-OFFSET"]]),
            int(row[column["LAG"]]),
        )
        for row in rows
    }


def lienthong_says(settings: Settings, group: str, topic: str) -> dict[int, Row]:
    done = subprocess.run(
        [sys.executable, "-m", "lienthong", "lag", group, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=lienthong_env(settings),
        cwd=Path(settings.var_dir).parent,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads(done.stdout)
    assert document["group"] == group
    return {
        row["partition"]: (row["committed_offset"], row["end_offset"], row["lag"])
        for row in document["partitions"]
        if row["topic"] == topic
    }


async def test_lag_agrees_with_kafka_consumer_groups(bus_settings: Settings) -> None:
    group = f"lag-{uuid.uuid4().hex[:8]}"
    topic = await make_group(bus_settings, group)

    ours = lienthong_says(bus_settings, group, topic)
    kafkas = kafka_says(bus_settings.kafka.bootstrap_servers, group, topic)

    assert ours == kafkas
    assert ours == {p: (COMMITTED[p], RECORDS[p], RECORDS[p] - COMMITTED[p]) for p in RECORDS}
