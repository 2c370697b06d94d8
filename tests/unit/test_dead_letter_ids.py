"""A dead letter names the event it came from: the worker's dead letters carry the event and
correlation ids when the record says them, the connectors log them when a change is refused."""

import uuid
from datetime import UTC, datetime

from connectors.building import EventBuilder
from connectors.contract import Change, Domain, Rejected
from connectors.headers import EVENT_ID_HEADER
from connectors.spec import ConnectorSpec
from lienthong.codec import SCHEMA_HEADER
from lienthong.events import Operation
from lienthong.ids import ConnectorName, TopicName
from lienthong.settings import TopicSettings
from schemas import DOSSIER_CHANGE
from streams.centre import DOSSIER_KIND
from streams.transforms import DeadLetter, ErrorStage, decode_record
from tests.factories import dossier_change
from tests.serde_support import Serde, avro_serde

NOW = datetime(2025, 7, 1, 3, 0, tzinfo=UTC)
HEADERS = [(SCHEMA_HEADER, DOSSIER_CHANGE.encode())]
SPEC = ConnectorSpec(
    name=ConnectorName("motcua-outbox"),
    kind="outbox",
    agency="000.00.00.H41",
    system="motcua",
    domains=("dossiers",),
)


async def test_a_change_refused_by_its_topic_contract_keeps_its_ids() -> None:
    serde: Serde = await avro_serde(DOSSIER_CHANGE, TopicName("motcua.dossiers"))
    sent = dossier_change("HS-1", 1, Operation.CREATE)
    sent = sent.model_copy(
        update={"envelope": sent.envelope.model_copy(update={"correlation_id": "submission-7"})}
    )
    value = serde.encode(sent.to_avro())

    letter = decode_record(b"HS-2", value, HEADERS, serde.deserializer, DOSSIER_KIND)

    assert isinstance(letter, DeadLetter)
    assert letter.stage is ErrorStage.TRANSFORMATION
    assert letter.exception_class == "lienthong.errors.DeadLetterError"
    assert (letter.event_id, letter.correlation_id) == (str(sent.envelope.event_id), "submission-7")


async def test_an_unreadable_value_takes_the_event_id_its_connector_put_in_a_header() -> None:
    serde: Serde = await avro_serde(DOSSIER_CHANGE, TopicName("motcua.dossiers"))
    event_id = str(uuid.uuid4())
    headers = [*HEADERS, (EVENT_ID_HEADER, event_id.encode())]

    letter = decode_record(b"HS-1", b"\x02garbage", headers, serde.deserializer, DOSSIER_KIND)
    unknown = decode_record(b"HS-1", b"\x02garbage", HEADERS, serde.deserializer, DOSSIER_KIND)

    assert isinstance(letter, DeadLetter) and isinstance(unknown, DeadLetter)
    assert (letter.event_id, letter.correlation_id) == (event_id, None)
    assert unknown.event_id is None


def builder() -> EventBuilder:
    # Refused before encoding: the encoder is never asked.
    return EventBuilder(SPEC, TopicSettings(), {Domain.DOSSIERS: object()})  # type: ignore[dict-item]


def test_a_refused_change_is_identified_by_its_event_and_correlation_ids() -> None:
    event_id = uuid.uuid4()
    refused = Change(
        domain=Domain.DOSSIERS,
        key="HS-1",
        operation=Operation.CREATE,
        version=1,
        occurred_at=NOW,
        after={"dossier_no": "HS-1"},
        event_id=event_id,
        correlation_id="submission-7",
        source_position="42",
    )
    made = builder()

    assert made.records(refused, NOW).dead_letter is not None
    assert made.identity(refused) == {"event_id": str(event_id), "correlation_id": "submission-7"}


def test_a_change_without_an_event_id_is_identified_by_the_id_its_event_would_get() -> None:
    change = Change(
        domain=Domain.DOSSIERS,
        key="HS-2",
        operation=Operation.UPDATE,
        version=3,
        occurred_at=NOW,
        after={"dossier_no": "HS-2"},
    )
    made = builder()

    first, again = made.identity(change)["event_id"], made.identity(change)["event_id"]
    assert first is not None and uuid.UUID(first).version == 5
    assert first == again, "stable: the id the published event would carry"


def test_an_input_the_source_could_not_read_has_no_ids() -> None:
    rejected = Rejected(Domain.DOSSIERS, "payload is not JSON", "PARSE", b"{", key="HS-1")

    assert builder().identity(rejected) == {"event_id": None, "correlation_id": None}
