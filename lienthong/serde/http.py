"""The registry's HTTP transport: JSON in and out, failures turned into typed errors here only."""

import json
from typing import Any, Protocol

import aiohttp

from lienthong.serde.media import REGISTRY_CONTENT_TYPE
from lienthong.serde.registry_errors import RegistryUnavailableError, error_from_response

__all__ = ["HttpTransport", "RegistryTransport"]


class RegistryTransport(Protocol):
    async def request(
        self, method: str, path: str, *, body: Any = None, params: dict[str, str] | None = None
    ) -> Any:
        """The decoded JSON answer, or a `RegistryError`."""
        ...

    async def close(self) -> None: ...


class HttpTransport(RegistryTransport):
    """aiohttp against one base URL; the session opens on first use, inside the running loop."""

    def __init__(self, url: str, *, timeout_s: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def request(
        self, method: str, path: str, *, body: Any = None, params: dict[str, str] | None = None
    ) -> Any:
        what = f"{method} {path}"
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = None if body is None else {"Content-Type": REGISTRY_CONTENT_TYPE}
        try:
            async with self._open().request(
                method, self.url + path, data=data, headers=headers, params=params
            ) as response:
                answer = await _body(response)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise RegistryUnavailableError(
                f"schema registry at {self.url} did not answer {what}: "
                f"{str(exc) or type(exc).__name__}"
            ) from exc
        if response.status >= 400:
            raise error_from_response(response.status, answer, what=what)
        return answer

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                headers={"Accept": f"{REGISTRY_CONTENT_TYPE}, application/json"},
            )
        return self._session


async def _body(response: aiohttp.ClientResponse) -> Any:
    text = await response.text()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text  # a proxy's HTML error page, say: kept for the error message
