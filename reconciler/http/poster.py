"""Keep-alive HTTPS POSTs to one configured endpoint, for `requests dispatch`.

Every connection is a guarded stream (`streams.open_guarded_stream`: DNS once, network
policy, connect only to a screened address, TLS verified against the URL's host name on
asyncio's native TLS transport), kept alive. A request is one head (every header checked
for line breaks as it goes out) and the body bytes as stored; the response is parsed by
httptools (llhttp, in C). Against httpx's client this drops the per-request machinery
(request/response models, pool bookkeeping, anyio's TLS stream, h11's state machine):
about a tenth of the CPU per POST, which is most of a dispatch's time.

Failures are raised as `reconciler.http.errors` (httpx's names and grouping:
ConnectTimeout, ReadTimeout, ConnectError, ReadError, RemoteProtocolError ...) or
`connect.PolicyRefusal`; httpx itself is never imported. Redirects are never followed;
proxies never used."""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

import httptools

from reconciler.core.netpolicy import NetPolicy
from reconciler.http import errors
from reconciler.http.connect import DnsFailure, parse_target
from reconciler.http.response import MAX_HEAD_BYTES, READ_BYTES, ResponseReading
from reconciler.http.streams import (
    AsyncResolver,
    Closings,
    Connector,
    GuardedStream,
    open_guarded_stream,
)

KEEPALIVE_SECONDS = 5.0  # an idle connection older than this is closed, not reused (httpx's)
# RFC 9110: a header name is a token; a value is visible characters, spaces and tabs
# (obs-text allowed), never CR, LF or NUL.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")


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
        if urlsplit(url).scheme.lower() != "https":
            raise errors.UnsupportedProtocol(f"only https:// URLs are sent to, not {url!r}")
        parsed = parse_target(url)
        self.url = url
        self.policy = policy
        self.host = parsed.host
        self.port = parsed.port
        authority = f"[{self.host}]" if ":" in self.host else self.host
        self.authority = authority if self.port == 443 else f"{authority}:{self.port}"
        self.target = parsed.path.decode("ascii")  # percent-encoded: ASCII
        self.ssl_context = ssl_context
        self.timeout = timeout
        self.resolver = resolver
        self.connector = connector
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(max(1, max_connections))
        self._closings = Closings()

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
            raise errors.ConnectTimeout(f"no connection within {self.timeout:g}s") from exc
        except (OSError, ssl.SSLError, DnsFailure) as exc:  # DNS may come back: a retry
            raise errors.ConnectError(str(exc) or type(exc).__name__) from exc
        return _Connection(stream)

    async def _exchange(
        self, conn: _Connection, headers: Sequence[tuple[str, str]], body: bytes, max_body: int
    ) -> tuple[PostResponse, bool]:
        """Send the request, read the response; (response, connection reusable)."""
        writer, reader = conn.stream.writer, conn.stream.reader
        head = self._head(headers, len(body))
        try:
            async with asyncio.timeout(self.timeout):
                writer.writelines((head, body))  # the body as it is: never copied
                await writer.drain()
        except TimeoutError as exc:
            raise errors.WriteTimeout(f"request not sent within {self.timeout:g}s") from exc
        except (OSError, ssl.SSLError) as exc:
            raise errors.WriteError(str(exc) or type(exc).__name__) from exc
        reading = ResponseReading(max_body)
        parser = reading.parser = httptools.HttpResponseParser(reading)
        try:
            while not reading.complete and not reading.truncated:
                async with asyncio.timeout(self.timeout):
                    data = await reader.read(READ_BYTES)
                if not data:
                    if reading.until_close and reading.status:  # HTTP/1.0-style body
                        break
                    raise errors.RemoteProtocolError(
                        "the server closed the connection without a complete response"
                    )
                parser.feed_data(data)
                if not reading.status and reading.head_bytes(len(data)) > MAX_HEAD_BYTES:
                    raise errors.RemoteProtocolError("response head too large")
        except TimeoutError as exc:
            raise errors.ReadTimeout(f"no response within {self.timeout:g}s") from exc
        except (OSError, ssl.SSLError) as exc:
            raise errors.ReadError(str(exc) or type(exc).__name__) from exc
        except (httptools.HttpParserError, httptools.HttpParserUpgrade) as exc:
            raise errors.RemoteProtocolError(f"invalid HTTP response: {exc}") from exc
        response = PostResponse(
            reading.status,
            reading.reason,
            reading.headers,
            b"".join(reading.parts),
            reading.truncated,
        )
        reusable = (
            reading.complete and not reading.truncated and not reading.extra and reading.keep_alive
        )
        return response, reusable

    def _head(self, headers: Sequence[tuple[str, str]], length: int) -> bytes:
        """The request head. Every header is checked here, as it goes out: a value from the
        environment with a line break in it must never split the head (header injection)."""
        lines = [f"POST {self.target} HTTP/1.1\r\nHost: {self.authority}\r\n"]
        for name, value in headers:
            if not _TOKEN.fullmatch(name) or not _FIELD_VALUE.fullmatch(value):
                raise errors.LocalProtocolError(
                    f"header {name!r}: not a valid header name or value (line breaks and "
                    "control characters are refused)"
                )
            lines.append(f"{name}: {value}\r\n")
        lines.append(f"Content-Length: {length}\r\n\r\n")
        try:
            return "".join(lines).encode("latin-1")
        except UnicodeEncodeError:
            raise errors.LocalProtocolError("header values must be Latin-1 text") from None

    def _close(self, conn: _Connection) -> None:
        self._closings.close(conn.stream.writer)  # TLS close_notify goes out in the background

    async def aclose(self, grace: float = 1.0) -> None:
        """Close every connection; let their TLS shutdown finish, abort the slow ones."""
        while self._idle:
            self._close(self._idle.pop())
        await self._closings.finish(grace)
