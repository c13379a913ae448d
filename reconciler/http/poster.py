"""Keep-alive HTTPS POSTs to one configured endpoint, for `requests dispatch`.

Every connection is a guarded stream (`guard.open_guarded_stream`: DNS once, network
policy, connect only to a screened address, TLS verified against the URL's host name on
asyncio's native TLS transport) carrying HTTP/1.1 framed and parsed by h11. This is the
path `reconciler check` takes too; for dispatch it keeps connections alive. Against
httpx's client this drops the per-request machinery (request/response models, pool
bookkeeping, anyio's TLS stream): about a fifth of the CPU per POST, which is most of a
dispatch's time.

Failures are raised as httpx exceptions (ConnectTimeout, ReadTimeout, ConnectError,
ReadError, RemoteProtocolError, PolicyRefused ...) so callers classify them the same way
whatever client made them. Redirects are never followed; proxies never used."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType

import h11
import httpx

from reconciler.core.netpolicy import NetPolicy
from reconciler.http.guard import AsyncResolver, Connector, GuardedStream, open_guarded_stream

KEEPALIVE_SECONDS = 5.0  # an idle connection older than this is closed, not reused (httpx's)
READ_BYTES = 64 * 1024


@dataclass(frozen=True)
class PostResponse:
    status_code: int
    reason_phrase: str
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    body: bytes  # at most `max_body` bytes of it
    truncated: bool  # more body followed (the connection was dropped, not drained)


@dataclass
class _Connection:
    stream: GuardedStream
    h11: h11.Connection = field(default_factory=lambda: h11.Connection(our_role=h11.CLIENT))
    idle_since: float = 0.0

    def reusable(self, now: float) -> bool:
        return (
            now - self.idle_since < KEEPALIVE_SECONDS
            and not self.stream.reader.at_eof()
            and not self.stream.writer.is_closing()
        )


class GuardedPoster:
    """POSTs to one https URL over at most `max_connections` kept-alive guarded
    connections. Use as an async context manager (closes the connections)."""

    def __init__(
        self,
        policy: NetPolicy,
        url: str,
        *,
        ssl_context: ssl.SSLContext,
        timeout: float,
        max_connections: int,
        resolver: AsyncResolver | None = None,
        connector: Connector | None = None,
    ) -> None:
        parsed = httpx.URL(url)
        if parsed.scheme != "https":
            raise httpx.UnsupportedProtocol(f"only https:// URLs are sent to, not {url!r}")
        self.url = url
        self.policy = policy
        self.host = parsed.raw_host.decode("ascii")
        self.port = parsed.port or 443
        authority = f"[{self.host}]" if ":" in self.host else self.host
        self.authority = authority if self.port == 443 else f"{authority}:{self.port}"
        self.target = parsed.raw_path
        self.ssl_context = ssl_context
        self.timeout = timeout
        self.resolver = resolver
        self.connector = connector
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(max(1, max_connections))
        self._closing: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> GuardedPoster:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def post(
        self, headers: Sequence[tuple[str, str]], body: bytes, *, max_body: int = READ_BYTES
    ) -> PostResponse:
        """One POST of `body` with `headers` (Host and Content-Length are added)."""
        async with self._slots:
            conn = await self._acquire()
            keep = False
            try:
                response, keep = await self._exchange(conn, headers, body, max_body)
                return response
            finally:
                if keep:
                    conn.idle_since = time.monotonic()
                    self._idle.append(conn)
                else:
                    self._close(conn)

    async def _acquire(self) -> _Connection:
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()
            if conn.reusable(now):
                return conn
            self._close(conn)
        try:
            stream = await open_guarded_stream(
                self.policy,
                self.host,
                self.port,
                ssl_context=self.ssl_context,
                timeout=self.timeout,
                resolver=self.resolver,
                connector=self.connector,
            )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"no connection within {self.timeout:g}s") from exc
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        return _Connection(stream)

    async def _exchange(
        self, conn: _Connection, headers: Sequence[tuple[str, str]], body: bytes, max_body: int
    ) -> tuple[PostResponse, bool]:
        """Send the request, read the response; (response, connection reusable)."""
        protocol = conn.h11
        writer, reader = conn.stream.writer, conn.stream.reader
        try:
            request = h11.Request(
                method="POST",
                target=self.target,
                headers=[("Host", self.authority), *headers, ("Content-Length", str(len(body)))],
            )
            # Passthrough: the body goes out as the very bytes object, never copied.
            chunks: list[bytes] = [protocol.send(request) or b""]
            chunks += protocol.send_with_data_passthrough(h11.Data(data=body)) or []
            chunks.append(protocol.send(h11.EndOfMessage()) or b"")
        except h11.LocalProtocolError as exc:  # e.g. a header value with a line break
            raise httpx.LocalProtocolError(str(exc)) from exc
        try:
            async with asyncio.timeout(self.timeout):
                writer.writelines(chunks)
                await writer.drain()
        except TimeoutError as exc:
            raise httpx.WriteTimeout(f"request not sent within {self.timeout:g}s") from exc
        except (OSError, ssl.SSLError) as exc:
            raise httpx.WriteError(str(exc) or type(exc).__name__) from exc
        status = 0
        phrase = ""
        found: dict[str, str] = {}
        parts: list[bytes] = []
        size = 0
        try:
            while True:
                event = protocol.next_event()
                if event is h11.NEED_DATA:
                    async with asyncio.timeout(self.timeout):
                        data = await reader.read(READ_BYTES)
                    protocol.receive_data(data)
                elif isinstance(event, h11.Response):
                    status = event.status_code
                    phrase = event.reason.decode("latin-1", "replace")
                    found = {
                        k.decode("latin-1"): v.decode("latin-1", "replace")
                        for k, v in event.headers
                    }
                elif isinstance(event, h11.Data):
                    parts.append(bytes(event.data))
                    size += len(event.data)
                    if size >= max_body:  # stop reading a large body: drop the connection
                        return PostResponse(status, phrase, found, b"".join(parts), True), False
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise httpx.RemoteProtocolError(
                        "the server closed the connection without a complete response"
                    )
                # InformationalResponse (1xx): keep reading
        except TimeoutError as exc:
            raise httpx.ReadTimeout(f"no response within {self.timeout:g}s") from exc
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
        except h11.RemoteProtocolError as exc:
            raise httpx.RemoteProtocolError(str(exc)) from exc
        response = PostResponse(status, phrase, found, b"".join(parts), False)
        if protocol.our_state is h11.DONE and protocol.their_state is h11.DONE:
            protocol.start_next_cycle()
            return response, True
        return response, False  # MUST_CLOSE / CLOSED: the server ends the connection

    def _close(self, conn: _Connection) -> None:
        conn.stream.writer.close()  # TLS close_notify goes out in the background
        self._closing.append(conn.stream.writer)

    async def aclose(self, grace: float = 1.0) -> None:
        """Close every connection; let their TLS shutdown finish, abort the slow ones."""
        while self._idle:
            self._close(self._idle.pop())
        waits = {asyncio.ensure_future(w.wait_closed()): w for w in self._closing}
        self._closing.clear()
        if not waits:
            return
        _, pending = await asyncio.wait(waits, timeout=grace)
        for task in pending:
            task.cancel()
            waits[task].transport.abort()
        for task in waits:  # a connection's error (e.g. a reset): nothing to act on
            if not task.cancelled():
                with contextlib.suppress(BaseException):
                    task.exception()
