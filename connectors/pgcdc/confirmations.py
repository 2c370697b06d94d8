"""Which streamed transactions Kafka holds durably, so the slot may move past them.

The last item of each transaction carries a `TransactionEnd` receipt. The runner settles a
receipt once the Kafka transaction holding the item has committed (the item published or
dead-lettered), and that transaction also stores a position at or past the item's. From
then on a restart never needs the WAL before the transaction's end.
"""

import asyncio
from collections import deque
from uuid import UUID

from connectors.contract import Receipt

__all__ = ["Confirmations", "TransactionEnd"]


class TransactionEnd(Receipt):
    """Settled when the item ending the transaction at `end_lsn` is committed to Kafka."""

    def __init__(self, end_lsn: int) -> None:
        super().__init__()
        self.end_lsn = end_lsn
        self.committed = asyncio.Event()

    def published(self, event_id: UUID) -> None:
        super().published(event_id)
        self.committed.set()

    def dead_lettered(self) -> None:
        super().dead_lettered()
        self.committed.set()

    def failed(self, error: BaseException) -> None:
        """Not committed: the runner's session ends, and the next one starts from what Kafka
        holds. Nobody waits on the outcome, so it is not kept as an exception."""


class Confirmations:
    """The receipts of transactions read but not yet known to be committed, oldest first."""

    def __init__(self) -> None:
        self._waiting: deque[TransactionEnd] = deque()

    def expect(self, end_lsn: int) -> TransactionEnd:
        receipt = TransactionEnd(end_lsn)
        self._waiting.append(receipt)
        return receipt

    @property
    def settled(self) -> bool:
        return not self._waiting

    async def committed_lsn(self, wait_s: float) -> int | None:
        """The end of the newest transaction Kafka holds, waiting up to `wait_s` for the ones
        read so far; None when none was committed since the last call."""
        if self._waiting:
            try:
                await asyncio.wait_for(self._waiting[-1].committed.wait(), wait_s)
            except TimeoutError:
                pass
        newest = None
        while self._waiting and self._waiting[0].committed.is_set():
            newest = self._waiting.popleft().end_lsn
        return newest
