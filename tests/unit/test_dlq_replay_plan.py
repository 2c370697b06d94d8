"""Which dead letters go back to their topic, and what exactly is re-published."""

import pytest
import typer

from lienthong.cli.dlq import split_offsets_and_topic
from lienthong.dlq import DeadLetterRecord, NotReplayableError, plan_replay, replay_refusal
from lienthong.ids import TopicName

DLQ = TopicName("motcua.dossiers.dlq")
ERRORS = {
    "__connect.errors.topic": b"motcua.dossiers",
    "__connect.errors.stage": b"VALUE_CONVERTER",
    "__connect.errors.exception.class.name": b"lienthong.errors.SchemaError",
    "__connect.errors.exception.message": b"bad magic byte",
}


def worker_letter(topic: TopicName = DLQ, value: bytes | None = b"\x00avro") -> DeadLetterRecord:
    headers = (
        ("schema", b"vn.gov.motcua.DossierChange"),
        *ERRORS.items(),
        ("__connect.errors.partition", b"1"),
        ("__connect.errors.offset", b"12"),
        ("__connect.errors.connector.name", b"lienthong-centre"),
    )
    return DeadLetterRecord(topic, 0, 5, None, b"H41.1", value, headers)


def connector_letter() -> DeadLetterRecord:
    headers = (
        *ERRORS.items(),
        ("__connect.errors.connector.name", b"motcua-outbox"),
        ("lienthong.source.position", b"42"),
        ("lienthong.connector", b"motcua-outbox"),
    )
    return DeadLetterRecord(DLQ, 0, 6, None, b"H41.2", b'{"id": 42}', headers)


def test_a_worker_dead_letter_goes_back_with_its_key_value_and_own_headers() -> None:
    plan = plan_replay(worker_letter())
    assert plan.topic == "motcua.dossiers"
    assert (plan.key, plan.value) == (b"H41.1", b"\x00avro")
    assert plan.headers == (
        ("schema", b"vn.gov.motcua.DossierChange"),
        ("lienthong.replayed.from", b"motcua.dossiers.dlq:5"),
    )


def test_a_connector_dead_letter_is_refused_with_what_to_do() -> None:
    refusal = replay_refusal(connector_letter())
    assert refusal is not None
    assert "motcua-outbox" in refusal
    assert "raw outbox row" in refusal
    assert "fix the row at the source" in refusal
    with pytest.raises(NotReplayableError, match="raw outbox row"):
        plan_replay(connector_letter())


def test_a_worker_dead_letter_is_replayable() -> None:
    assert replay_refusal(worker_letter()) is None


def test_a_dead_letter_without_value_or_topic_is_refused() -> None:
    assert replay_refusal(worker_letter(value=None)) is not None
    bare = DeadLetterRecord(DLQ, 0, 1, None, None, b"x", (("__connect.errors.partition", b"0"),))
    assert "no original topic" in (replay_refusal(bare) or "")


def test_a_dead_letter_never_goes_to_a_topic_other_than_its_dlq_names() -> None:
    stray = worker_letter(topic=TopicName("other.dlq"))
    assert "belong in motcua.dossiers.dlq" in (replay_refusal(stray) or "")


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["3", "4"], ([3, 4], None)),
        (["3", "my.dlq"], ([3], "my.dlq")),
        (["my.dlq"], ([], "my.dlq")),
        ([], ([], None)),
    ],
)
def test_offsets_then_an_optional_topic(
    arguments: list[str], expected: tuple[list[int], str | None]
) -> None:
    assert split_offsets_and_topic(arguments) == expected


def test_the_topic_must_come_last() -> None:
    with pytest.raises(typer.BadParameter, match="the topic goes last"):
        split_offsets_and_topic(["my.dlq", "3"])
