"""One delivery attempt: POST one batch to a flow's endpoint, and the outcome as data.

The interface the dispatch loop relies on:

    async with BatchPoster(network, send) as poster:       # one per flow endpoint
        attempt = await poster.attempt(idempotency_key, body)

`attempt` never raises for network trouble or a bad answer. The Attempt it returns says

- verdict: DELIVERED (2xx); RETRY (connect errors, timeouts, resets, 408, 425, 429, 5xx --
  `retry_after` carries a Retry-After header's seconds, uncapped: the loop caps it); or
  FAIL (3xx -- never followed -- and other 4xx);
- fatal: the endpoint cannot be reached as configured (network policy, TLS verification,
  an invalid header): no other batch to it can succeed, so the loop stops the flow;
- http_status and reason: what happened in plain words, secrets masked.

Headers are the flow's (resolved), `Idempotency-Key`, and the Standard Webhooks signature
when the flow has a signing key. Each call is one attempt for the retry budget and the
circuit breaker: a kept-alive connection found dead is resent inside it
(`exchange.BoundedClient`), and `send.timeout` bounds the whole call.
"""

from __future__ import annotations

import re
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

import httpcore
import httpx

from reconciler.core.delivery import FlowSend
from reconciler.core.retry import Verdict, classify_status, parse_retry_after
from reconciler.core.secrets import mask
from reconciler.core.signing import signature_headers
from reconciler.http.exchange import BoundedClient, OnTheWire, Reply
from reconciler.http.guard import AsyncResolver, PolicyRefused
from reconciler.http.settings import NetworkSettings

REASON_BODY_BYTES = 300  # how much of an error response the reason quotes
READ_LIMIT = 64 * 1024  # a longer response body is not read (its connection is dropped)

# RFC 9110: a field name is a token; a value is visible characters, spaces and tabs
# (obs-text allowed), never CR, LF or NUL: a value with a line break would split the head.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")


@dataclass(frozen=True)
class Attempt:
    verdict: Verdict
    http_status: int | None
    reason: str
    retry_after: float | None = None
    fatal: bool = False  # the endpoint cannot be reached as configured: stop the flow


def checked_headers(headers: dict[str, str]) -> tuple[list[tuple[bytes, bytes]], str | None]:
    """The headers as they go on the wire, or the problem that forbids sending them (the
    header's name, never its value: it may be a secret)."""
    wire: list[tuple[bytes, bytes]] = []
    for name, value in headers.items():
        if not _TOKEN.fullmatch(name) or not _FIELD_VALUE.fullmatch(value):
            return [], (
                f"header {name!r}: not a valid header name or value "
                "(line breaks and control characters are refused)"
            )
        try:
            wire.append((name.encode("ascii"), value.encode("latin-1")))
        except UnicodeEncodeError:
            return [], f"header {name!r}: header values must be Latin-1 text"
    return wire, None


def _is_tls_verification(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(10):  # the cause chain, bounded
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def failed_attempt(exc: Exception) -> Attempt:
    """An exception of the HTTP stack as an outcome (its reason masked: a library's
    message may quote what was sent)."""
    attempt = _failed(exc)
    return Attempt(attempt.verdict, None, mask(attempt.reason), fatal=attempt.fatal)


def _failed(exc: Exception) -> Attempt:
    if isinstance(exc, httpx.TimeoutException):
        return Attempt(Verdict.RETRY, None, f"timeout ({type(exc).__name__})")
    if isinstance(exc, PolicyRefused):  # nothing was sent; no other batch to this host can go
        return Attempt(
            Verdict.FAIL, None, f"refused by the network policy: {exc.reason}", fatal=True
        )
    if isinstance(exc, httpx.LocalProtocolError | httpx.UnsupportedProtocol | httpx.InvalidURL):
        return Attempt(Verdict.FAIL, None, f"{type(exc).__name__}: {exc}", fatal=True)
    if isinstance(exc, httpx.TransportError):
        if _is_tls_verification(exc):
            return Attempt(Verdict.FAIL, None, f"TLS verification failed: {exc}", fatal=True)
        return Attempt(Verdict.RETRY, None, f"{type(exc).__name__}: {exc or 'connection error'}")
    return Attempt(Verdict.FAIL, None, f"{type(exc).__name__}: {exc}", fatal=True)


def answered_attempt(reply: Reply) -> Attempt:
    """An HTTP response as an outcome."""
    status = reply.status
    verdict = classify_status(status)
    reason = f"HTTP {status} {reply.reason_phrase}".rstrip()
    if verdict is Verdict.DELIVERED:
        return Attempt(verdict, status, reason)  # no reason is kept for a delivery
    if 300 <= status < 400:
        location = reply.headers.get("location")
        reason += f" (redirect{' to ' + location if location else ''} not followed)"
    elif reply.body:
        # Masked before it is cut short: a secret cut in half would no longer be found.
        text = mask(reply.body.decode("utf-8", "replace"))
        reason += f": {' '.join(text.split())[:REASON_BODY_BYTES]}"
    retry_after = None
    if verdict is Verdict.RETRY:
        retry_after = parse_retry_after(reply.headers.get("retry-after"), datetime.now(UTC))
    return Attempt(verdict, status, mask(reason), retry_after)


class BatchPoster:
    """POSTs batches to one flow's endpoint over at most `send.concurrency` kept-alive
    guarded connections. Use as an async context manager (closes them)."""

    def __init__(
        self,
        network: NetworkSettings,
        send: FlowSend,
        *,
        resolver: AsyncResolver | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
        on_the_wire: OnTheWire | None = None,
    ) -> None:
        self.send = send
        self._on_the_wire = on_the_wire  # a rate limit's pacing, awaited before each POST
        self._headers, self._refusal = checked_headers(send.headers)
        self._url: httpx.URL | str = send.url
        try:
            self._url = httpx.URL(send.url)  # parsed once for every batch
        except httpx.InvalidURL as exc:
            self._refusal = f"invalid URL {send.url!r}: {exc}"
        self._client = BoundedClient(
            network,
            connections=send.concurrency,
            timeout=send.timeout,
            read_limit=READ_LIMIT,
            resolver=resolver,
            network_backend=network_backend,
        )

    async def __aenter__(self) -> BatchPoster:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.aclose()

    async def attempt(self, key: str, body: bytes) -> Attempt:
        """One POST of `body` (sent as it is) with Idempotency-Key `key`."""
        if self._refusal is not None:  # nothing is sent: the flow's headers are not valid
            return Attempt(Verdict.FAIL, None, mask(self._refusal), fatal=True)
        headers = [*self._headers, (b"Idempotency-Key", key.encode("ascii"))]
        if self.send.signing_key is not None:
            signed = signature_headers(self.send.signing_key, key, int(time.time()), body)
            headers += [(n.encode("ascii"), v.encode("ascii")) for n, v in signed.items()]
        try:
            reply = await self._client.send(
                "POST", self._url, headers=headers, content=body, on_the_wire=self._on_the_wire
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return failed_attempt(exc)
        return answered_attempt(reply)
