"""The e-document simulator: realistic, reproducible traffic whose every input the parser
reads, where statuses follow their package and later packages are newer versions."""

import asyncio
import re
import unicodedata
from collections import defaultdict
from datetime import UTC, datetime

from connectors.contract import Change, Domain
from connectors.edxml import changes_from_edxml
from connectors.edxml.simulator import EdocSimulator, SimulatedInput
from lienthong.events import Document, DocumentStatus, DocumentStatusCode, Operation

FROZEN = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)
STEPS = 600
ORGAN_ID = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.H41$")
PROGRESS = ["ARRIVED_01", "ACCEPTED_03", "PROCESSING_05", "DONE_06"]


def traffic(seed: int = 7, steps: int = STEPS) -> list[tuple[SimulatedInput, Change]]:
    simulator = EdocSimulator(seed, clock=lambda: FROZEN)
    made = []
    for _ in range(steps):
        simulated = simulator.step()
        (change,) = changes_from_edxml(simulated.data, received_as=simulated.name)
        assert isinstance(change, Change)
        made.append((simulated, change))
    return made


def test_the_same_seed_and_clock_give_the_same_traffic() -> None:
    first, again = traffic(steps=50), traffic(steps=50)
    assert [(s.name, s.data) for s, _ in first] == [(s.name, s.data) for s, _ in again]
    assert [s.data for s, _ in traffic(seed=8, steps=50)] != [s.data for s, _ in first]


def test_inputs_look_like_a_province_exchanging_documents() -> None:
    made = traffic()
    kinds = {simulated.kind for simulated, _ in made}
    assert {"document", "status", "revocation"} <= kinds
    documents = [c for _, c in made if c.domain is Domain.DOCUMENTS]
    for change in documents:
        document = Document.model_validate(change.after)
        assert ORGAN_ID.match(document.from_organization.organ_id)
        assert all(ORGAN_ID.match(o.organ_id) for o in document.to_organizations)
        assert re.fullmatch(r"\d{3,4}/[\w-]+", f"{document.code.number}/{document.code.notation}")
        assert unicodedata.is_normalized("NFC", document.subject)
        assert not document.subject.isascii(), "Vietnamese subjects keep their diacritics"
        assert document.signer.full_name and document.signer.position
    new = [c for c in documents if c.operation is Operation.CREATE]
    assert all(Document.model_validate(c.after).attachments for c in new), "signed PDF attached"
    names = [simulated.name for simulated, _ in made]
    assert names == sorted(names) and len(set(names)) == len(names)
    assert all(name.isascii() and name.endswith(".edxml") for name in names)


def test_statuses_follow_their_package_in_order_and_versions_only_grow() -> None:
    created: set[str] = set()
    revoked: set[str] = set()
    statuses: dict[tuple[str, str], list[str]] = defaultdict(list)
    versions: dict[tuple[str, str], int] = {}
    for _, change in traffic():
        if change.domain is Domain.DOCUMENTS:
            document = Document.model_validate(change.after)
            assert (change.operation is Operation.CREATE) == (change.key not in created)
            created.add(change.key)
            if document.business_doc_type.value == "REVOCATION":
                revoked.add(change.key)
            stream = (change.key, "package")
        else:
            status = DocumentStatus.model_validate(change.after)
            assert change.key in created, "a status answers a document already sent"
            organ = status.from_organization.organ_id
            code = status.status_code
            if code in (
                DocumentStatusCode.REVOKE_UPDATE_ACCEPTED_15,
                DocumentStatusCode.REVOKE_UPDATE_REFUSED_16,
            ):
                assert change.key in revoked, "15 and 16 answer a revocation"
            else:
                statuses[(change.key, organ)].append(code.value)
            stream = (change.key, organ)
        # The clock is frozen, yet every document's packages and statuses move forward.
        assert change.version > versions.get(stream, -1)
        versions[stream] = change.version
    assert revoked
    for sequence in statuses.values():
        assert sequence == PROGRESS[: len(sequence)], sequence


async def test_run_delivers_the_asked_number_at_the_asked_rate_and_stops_on_request() -> None:
    delivered: list[SimulatedInput] = []

    async def deliver(simulated: SimulatedInput) -> None:
        delivered.append(simulated)

    simulator = EdocSimulator(1, clock=lambda: FROZEN)
    assert await simulator.run(deliver, 1000.0, 5, asyncio.Event()) == 5
    assert len(delivered) == 5 and sum(simulator.counts.values()) == 5
    stop = asyncio.Event()
    stop.set()
    assert await simulator.run(deliver, 1000.0, None, stop) == 0
