"""Where the simulator delivers its inputs: files in a watched folder, or the bus's HTTP API."""

import asyncio
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self
from urllib.parse import urlsplit

import aiohttp

from connectors.edxml.simulator import SimulatedInput
from connectors.http.signing import signed_headers
from lienthong.errors import ConfigurationError, FatalError, RetriableError

__all__ = ["FolderSink", "HttpSink", "InputSink", "write_atomically"]


class InputSink(Protocol):
    async def put(self, made: SimulatedInput) -> None: ...


class FolderSink:
    """Writes each input as a file the way readers need it: `.name.tmp`, then a rename."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def put(self, made: SimulatedInput) -> None:
        await asyncio.to_thread(write_atomically, self.folder, made.name, made.data)


class HttpSink:
    """POSTs each input to `{url}/v1/edxml` with a bearer token, and with an HMAC-SHA256
    request signature (connectors.http.signing) when given the credential's secret."""

    def __init__(self, url: str, token: str, hmac_secret: str | None = None) -> None:
        self.endpoint = f"{url.rstrip('/')}/v1/edxml"
        self._path = urlsplit(self.endpoint).path
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/xml"}
        self._hmac_secret = hmac_secret
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"HttpSink({self.endpoint!r}, signed={self._hmac_secret is not None})"

    async def __aenter__(self) -> Self:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()

    async def put(self, made: SimulatedInput) -> None:
        if self._session is None:
            raise RuntimeError("HttpSink is used outside `async with`")
        # The file name doubles as idempotency key: a retried POST is still one event.
        headers = {**self._headers, "X-Request-Id": made.name, "Idempotency-Key": made.name}
        if self._hmac_secret is not None:
            # Signed when sent, each retry afresh: the API refuses a signature seen before.
            headers |= signed_headers(self._hmac_secret, "POST", self._path, made.data)
        try:
            async with self._session.post(self.endpoint, data=made.data, headers=headers) as answer:
                if answer.status < 300:
                    return
                detail = (await answer.text())[:300]
        except aiohttp.ClientError as exc:
            raise RetriableError(f"cannot reach {self.endpoint}: {exc}") from exc
        if answer.status in (401, 403):
            raise ConfigurationError(
                f"{self.endpoint} refused the token or signature ({answer.status}): {detail}"
            )
        if answer.status in (429, 503):
            raise RetriableError(f"{self.endpoint} is busy ({answer.status}): {detail}")
        raise FatalError(f"{self.endpoint} answered {answer.status}: {detail}")


def write_atomically(folder: Path, name: str, data: bytes) -> Path:
    """Write `data` as `folder/name` so that no reader ever sees part of it."""
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        target = folder / name
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
