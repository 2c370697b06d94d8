"""Realistic e-document traffic between a province's agencies, as edXML files or requests.

Each `step()` is one input: a new document (business type 0), a status a receiving agency
sends back (01 arrived, 03 accepted, 05 processing, 06 done), now and then a revocation
(type 1) answered by 15 (revoke accepted) or 16 (refused), or an update (type 2). The same
seed and clock give the same traffic. Times never go backwards within a document, so later
packages of a document are always newer versions.
"""

import asyncio
import unicodedata
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from random import Random

from connectors.edxml.simulated_documents import new_document, revised, status_of
from connectors.edxml.simulated_vocabulary import REVOCATION_REASONS
from connectors.edxml.writing import AttachmentFile, package_xml, status_xml
from connectors.waiting import sleep_unless
from lienthong.events import BusinessDocType, Document, DocumentStatusCode

__all__ = ["EdocSimulator", "SimulatedInput"]

_PROGRESS = (
    DocumentStatusCode.ARRIVED_01,
    DocumentStatusCode.ACCEPTED_03,
    DocumentStatusCode.PROCESSING_05,
    DocumentStatusCode.DONE_06,
)


@dataclass(frozen=True, slots=True)
class SimulatedInput:
    name: str
    """A file name for it: ordered, unique within a run, ASCII."""
    data: bytes
    kind: str
    """document, revocation, update or status."""
    document_id: str


@dataclass(slots=True)
class _Open:
    document: Document
    last_at: datetime
    next_statuses: dict[str, list[DocumentStatusCode]] = field(default_factory=dict)
    """Per receiving agency, the statuses it has yet to send."""


class EdocSimulator:
    """Drives documents through their life. Not thread-safe: one `step` at a time."""

    def __init__(self, seed: int = 0, *, clock: Callable[[], datetime] | None = None) -> None:
        self._rng = Random(seed)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._open: list[_Open] = []
        self._numbers: Counter[str] = Counter()
        self._steps = 0
        self._run = f"{self._clock():%Y%m%dT%H%M%S}"
        self.counts: Counter[str] = Counter()

    def step(self) -> SimulatedInput:
        rng = self._rng
        self._steps += 1
        waiting = [item for item in self._open if any(item.next_statuses.values())]
        weights = (25 if len(self._open) < 40 else 3, 2, 1, 70)
        action = rng.choices(("new", "revoke", "update", "status"), weights=weights)[0]
        if not waiting or action == "new":
            made = self._new_document()
        elif action == "revoke":
            made = self._revise(rng.choice(waiting), BusinessDocType.REVOCATION)
        elif action == "update":
            made = self._revise(rng.choice(waiting), BusinessDocType.UPDATE)
        else:
            made = self._status(rng.choice(waiting))
        self.counts[made.kind] += 1
        return made

    async def run(
        self,
        deliver: Callable[[SimulatedInput], Awaitable[None]],
        rate: float,
        events: int | None,
        stop: asyncio.Event,
    ) -> int:
        """Deliver `rate` inputs a second until `events` are done or `stop` is set; how many."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        done = 0
        while not stop.is_set() and (events is None or done < events):
            await deliver(self.step())
            done += 1
            due += 1 / rate
            await sleep_unless(stop, max(0.0, due - loop.time()))
        return done

    def _new_document(self) -> SimulatedInput:
        at = self._now()
        document = new_document(self._rng, at, self._numbers)
        opened = _Open(document, at)
        for receiver in document.to_organizations:
            opened.next_statuses[receiver.organ_id] = list(_PROGRESS)
        self._open.append(opened)
        signed = AttachmentFile(
            f"{document.code.number}-{_ascii(document.code.notation)}.signed.pdf",
            "application/pdf",
            b"%PDF-1.7\n" + self._rng.randbytes(self._rng.randint(512, 4096)) + b"\n%%EOF\n",
        )
        return self._input("document", document, package_xml(document, [signed]))

    def _revise(self, opened: _Open, kind: BusinessDocType) -> SimulatedInput:
        at = self._at(opened)
        reason = (
            self._rng.choice(REVOCATION_REASONS)
            if kind is BusinessDocType.REVOCATION
            else "Cập nhật thời hạn xử lý"
        )
        opened.document = revised(opened.document, kind, reason, at)
        if kind is BusinessDocType.REVOCATION:
            for statuses in opened.next_statuses.values():
                refused = self._rng.random() < 0.1
                statuses[:] = [
                    DocumentStatusCode.REVOKE_UPDATE_REFUSED_16
                    if refused
                    else DocumentStatusCode.REVOKE_UPDATE_ACCEPTED_15
                ]
        data = package_xml(opened.document)
        return self._input(kind.value.lower(), opened.document, data)

    def _status(self, opened: _Open) -> SimulatedInput:
        at = self._at(opened)
        organ_id = self._rng.choice([o for o, left in opened.next_statuses.items() if left])
        code = opened.next_statuses[organ_id].pop(0)
        status = status_of(self._rng, opened.document, organ_id, code, at)
        if not any(opened.next_statuses.values()):
            self._open.remove(opened)
        return self._input(
            f"status-{code.edxml_code}", opened.document, status_xml(status), "status"
        )

    def _input(
        self, label: str, document: Document, data: bytes, kind: str | None = None
    ) -> SimulatedInput:
        code = _ascii(f"{document.code.number}-{document.code.notation}")
        name = f"{self._run}-{self._steps:06d}-{label}-{code}.edxml"
        return SimulatedInput(name, data, kind or label, document.document_id)

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC).replace(microsecond=0)

    def _at(self, opened: _Open) -> datetime:
        """Now, but at least a second after the document's last package or status."""
        at = max(self._now(), opened.last_at + timedelta(seconds=1))
        opened.last_at = at
        return at


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    kept = "".join(c for c in plain if c.isascii() and (c.isalnum() or c in "-_"))
    return kept.replace("/", "-")
