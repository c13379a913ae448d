"""Requests through a guarded httpx client, each bounded as a whole and resent once when a
kept-alive connection turns out to be dead.

`BoundedClient.send` is what `check` (HEAD) and dispatch (POST) share:

- One deadline per request: `timeout` seconds for the whole exchange -- DNS, connect,
  TLS, sending, and the whole response (a server dripping its answer a byte at a time is
  cut off at the deadline, not kept alive by each byte). httpx's own timeouts bound one
  read or write; the deadline around the request bounds their sum. DNS and the TCP
  connect are bounded by the guarded backend with the same `timeout` (a hung lookup is a
  DNS failure, not a timeout); the deadline covers everything from the connected socket on.
  On expiry httpx's timeout named after how far the request got is raised:
  ConnectTimeout, WriteTimeout or ReadTimeout.
- What a request went through is read from httpcore's trace events: whether it opened a
  new connection, whether the response head arrived.
- A reused keep-alive connection that fails before the response head arrived (the server
  closed it as the request went out: its idle timeout) is resent once, at once, on a new
  connection, within the same deadline. It is the same attempt: callers see one outcome.
- The body is read up to `read_limit` bytes; a longer one is not drained (its connection
  is dropped instead).
- `on_the_wire`, when given, is awaited as the request head is about to be written, on a
  connection that is ready: a rate limit's pacing (services/pacing.py) waits there, so a new
  connection's set-up does not shift a request towards the next one. Its wait is not part
  of the deadline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, NamedTuple

import httpcore
import httpx

from reconciler.http.guard import AsyncResolver
from reconciler.http.settings import NetworkSettings

Headers = Mapping[str, str] | Sequence[tuple[bytes, bytes]]
OnTheWire = Callable[[], Awaitable[float]]  # waits; returns the seconds it waited

# A dead reused connection shows as one of these before the response head arrives.
_DROPPED = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


@dataclass
class Progress:
    """How far one request got, from httpcore's trace events."""

    new_connection: bool = False
    connected: bool = False  # TLS done, or a kept-alive connection taken from the pool
    step: str = ""  # the last step started, e.g. "http11.send_request_body"
    answered: bool = False  # the response head arrived
    paced: float = 0.0  # seconds `on_the_wire` waited (not part of the deadline)

    def observe(self, event: str) -> None:
        step, _, stage = event.rpartition(".")
        if stage == "started":
            self.step = step
        if event == "connection.connect_tcp.started":
            self.new_connection = True
        elif event in ("connection.start_tls.complete", "http11.send_request_headers.started"):
            self.connected = True
        elif event == "http11.receive_response_headers.complete":
            self.answered = True

    def dropped_reused_connection(self, exc: Exception) -> bool:
        return not self.new_connection and not self.answered and isinstance(exc, _DROPPED)

    def timeout(self, seconds: float) -> httpx.TimeoutException:
        """The deadline passed: httpx's timeout for the step the request was in."""
        if not self.connected:
            return httpx.ConnectTimeout(f"no connection within {seconds:g}s")
        if self.step.startswith("http11.send_request"):
            return httpx.WriteTimeout(f"request not sent within {seconds:g}s")
        return httpx.ReadTimeout(f"no response within {seconds:g}s")


class Reply(NamedTuple):
    status: int
    reason_phrase: str
    headers: httpx.Headers
    body: bytes  # at most read_limit bytes of it
    truncated: bool  # more body followed (not read; the connection was dropped)
    address: str | None  # the screened address the connection went to (if asked)
    peer_certificate: dict[str, Any] | None  # as ssl.SSLSocket.getpeercert() gives it
    seconds: float  # from the start of the request to the response head


class BoundedClient:
    """Guarded requests to configured URLs over at most `connections` kept-alive
    connections, with a second, never-pooled client for the resends. Use as an async
    context manager."""

    def __init__(
        self,
        settings: NetworkSettings,
        *,
        connections: int,
        timeout: float,
        read_limit: int,
        resolver: AsyncResolver | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.timeout = timeout
        self.read_limit = read_limit
        hooks = {"resolver": resolver, "network_backend": network_backend}
        self._pooled = settings.async_client(
            timeout=timeout,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            **hooks,
        )
        self._fresh = settings.async_client(
            timeout=timeout,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=0),
            **hooks,
        )

    async def __aenter__(self) -> BoundedClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._pooled.aclose()
        await self._fresh.aclose()

    async def send(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        headers: Headers | None = None,
        content: bytes | None = None,
        peer_certificate: bool = False,
        on_the_wire: OnTheWire | None = None,
    ) -> Reply:
        """Raises httpx's errors (and the guard's PolicyRefused / ResolutionFailed).
        `peer_certificate`: also say which address answered, with what certificate."""
        target = httpx.URL(url)
        if target.userinfo:  # httpx would send them as Basic credentials
            raise httpx.InvalidURL("a URL with credentials (user:password@) is never requested")
        started = asyncio.get_running_loop().time()
        deadline = started + self.timeout
        request = self._pooled.build_request(method, target, headers=headers, content=content)
        progress = Progress()
        try:
            return await self._exchange(
                self._pooled, request, progress, started, deadline, peer_certificate, on_the_wire
            )
        except _DROPPED as exc:
            if not progress.dropped_reused_connection(exc):
                raise
        return await self._exchange(
            self._fresh,
            request,
            Progress(),
            started,
            deadline + progress.paced,
            peer_certificate,
            on_the_wire,
        )

    async def _exchange(
        self,
        client: httpx.AsyncClient,
        request: httpx.Request,
        progress: Progress,
        started: float,
        deadline: float,
        want_certificate: bool,
        on_the_wire: OnTheWire | None,
    ) -> Reply:
        try:
            async with asyncio.timeout_at(deadline) as bound:

                async def trace(event: str, info: dict[str, Any]) -> None:
                    nonlocal deadline
                    progress.observe(event)
                    if on_the_wire is not None and event == "http11.send_request_headers.started":
                        bound.reschedule(None)
                        waited = await on_the_wire()
                        progress.paced += waited
                        deadline += waited
                        bound.reschedule(deadline)
                        return
                    if bound.expired() or not event.startswith("connection.connect_tcp."):
                        return
                    # The guarded backend bounds DNS and connect itself (see above).
                    bound.reschedule(None if event.endswith(".started") else deadline)

                request.extensions["trace"] = trace
                response = await client.send(request, stream=True)
                try:
                    seconds = asyncio.get_running_loop().time() - started
                    address, certificate = _peer(response) if want_certificate else (None, None)
                    body, truncated = await self._read(response)
                finally:
                    await response.aclose()
        except TimeoutError as exc:
            raise progress.timeout(self.timeout) from exc
        return Reply(
            status=response.status_code,
            reason_phrase=response.reason_phrase,
            headers=response.headers,
            body=body,
            truncated=truncated,
            address=address,
            peer_certificate=certificate,
            seconds=seconds,
        )

    async def _read(self, response: httpx.Response) -> tuple[bytes, bool]:
        if self.read_limit <= 0:
            return b"", False
        parts: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            parts.append(chunk)
            size += len(chunk)
            if size >= self.read_limit:
                return b"".join(parts), True
        return b"".join(parts), False


def _peer(response: httpx.Response) -> tuple[str | None, dict[str, Any] | None]:
    """The address the response came from and the server's certificate."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None, None
    server = stream.get_extra_info("server_addr")
    ssl_object = stream.get_extra_info("ssl_object")
    return (
        str(server[0]) if server else None,
        ssl_object.getpeercert() if ssl_object is not None else None,
    )
