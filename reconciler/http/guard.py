"""Outbound HTTPS to configured endpoints, guarded (PRODUCT.md sections 9 and 11).

Every connection made by a client from this module:
  1. resolves the host once (DNS), here and not inside the socket library;
  2. screens every address with the network policy (`reconciler.core.netpolicy`);
  3. connects ONLY to an address that passed -- there is no second lookup an attacker's
     DNS could answer differently (no DNS rebinding);
  4. runs TLS against the ORIGINAL host name: SNI and certificate hostname checks are
     httpcore's, on the URL's host, with verification always on.

The pinning lives in an httpcore network backend (`connect_tcp` is handed the URL host and
is the one place a socket is opened), so connection pooling, HTTP/1.1 and timeouts stay
httpx's own. Proxies from the environment are never used: a proxy would resolve the name.

Use `build_async_client` / `build_client` (or `NetworkSettings.from_config(...)`) for any
request to a configured URL -- `reconciler check` and `requests dispatch` both do.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import anyio
import httpcore
import httpx

from reconciler.core.netpolicy import IPAddress, NetPolicy, Screening, literal_address

# The httpx-free half (TLS context, settings, bare guarded sockets and streams) lives in
# `connect` and `streams`; these names stay importable from here.
from reconciler.http.connect import (
    USER_AGENT,
    DnsFailure,
    NetworkSettings,
    PolicyRefusal,
    SyncResolver,
    addresses_of,
    build_ssl_context,
    gai_text,
    resolve,
    screen,
)
from reconciler.http.streams import AsyncResolver, Connector, GuardedStream

__all__ = [
    "USER_AGENT",
    "AsyncResolver",
    "Connector",
    "GuardedStream",
    "NetworkSettings",
    "PolicyRefused",
    "ResolutionFailed",
    "SyncResolver",
    "build_async_client",
    "build_client",
    "build_ssl_context",
]

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
SocketOption = Any  # httpcore's SOCKET_OPTION union


# -- errors: the httpx flavours (raised inside httpx clients, caught as httpx errors) -----
class PolicyRefused(PolicyRefusal, httpx.RequestError):
    """Not a TransportError on purpose: it must never be retried."""


class ResolutionFailed(DnsFailure, httpx.ConnectError):
    """A ConnectError: it may be transient."""


# -- resolution (through anyio, as httpcore connects) -----------------------------------
async def resolve_async(host: str, port: int) -> list[IPAddress]:
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    try:
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ResolutionFailed(host, gai_text(exc)) from exc
    return addresses_of(infos)


def resolve_sync(host: str, port: int) -> list[IPAddress]:
    return resolve(host, port, failed=ResolutionFailed)


def _screen(policy: NetPolicy, host: str, addresses: Sequence[IPAddress]) -> Screening:
    return screen(policy, host, addresses, refused=PolicyRefused)


def _remaining(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ConnectTimeout("connect timed out")
    return left


# -- network backends: the only place sockets are opened ------------------------------
class GuardedAsyncBackend(httpcore.AsyncNetworkBackend):
    """Resolve, screen, then connect to a screened address (tried in resolver order)."""

    def __init__(
        self,
        policy: NetPolicy,
        *,
        resolver: AsyncResolver | None = None,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self.resolver = resolver or resolve_async
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            with anyio.fail_after(timeout):
                addresses = await self.resolver(host, port)
        except TimeoutError:
            raise ResolutionFailed(host, "DNS lookup timed out") from None
        screening = _screen(self.policy, host, addresses)
        last: Exception | None = None
        for address in screening.permitted:
            try:
                return await self.inner.connect_tcp(
                    str(address),
                    port,
                    timeout=_remaining(deadline),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed for configured endpoints")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedSyncBackend(httpcore.NetworkBackend):
    """The blocking twin of GuardedAsyncBackend."""

    def __init__(
        self,
        policy: NetPolicy,
        *,
        resolver: SyncResolver | None = None,
        inner: httpcore.NetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self.resolver = resolver or resolve_sync
        self.inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        deadline = None if timeout is None else time.monotonic() + timeout
        screening = _screen(self.policy, host, self.resolver(host, port))
        last: Exception | None = None
        for address in screening.permitted:
            try:
                return self.inner.connect_tcp(
                    str(address),
                    port,
                    timeout=_remaining(deadline),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed for configured endpoints")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


# -- transports and clients -----------------------------------------------------------
def _pool_kwargs(ssl_context: ssl.SSLContext, limits: httpx.Limits, http2: bool) -> dict[str, Any]:
    return {
        "ssl_context": ssl_context,
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
        "http1": True,
        "http2": http2,
    }


class GuardedAsyncTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with its connection pool built on the guarded backend."""

    def __init__(
        self,
        backend: GuardedAsyncBackend,
        *,
        ssl_context: ssl.SSLContext,
        limits: httpx.Limits = DEFAULT_LIMITS,
        http2: bool = False,
    ) -> None:
        super().__init__(verify=ssl_context, trust_env=False, limits=limits, http2=http2)
        # httpx does not expose network_backend; the pool is what it sends through.
        self._pool = httpcore.AsyncConnectionPool(
            network_backend=backend, **_pool_kwargs(ssl_context, limits, http2)
        )


class GuardedTransport(httpx.HTTPTransport):
    def __init__(
        self,
        backend: GuardedSyncBackend,
        *,
        ssl_context: ssl.SSLContext,
        limits: httpx.Limits = DEFAULT_LIMITS,
        http2: bool = False,
    ) -> None:
        super().__init__(verify=ssl_context, trust_env=False, limits=limits, http2=http2)
        self._pool = httpcore.ConnectionPool(
            network_backend=backend, **_pool_kwargs(ssl_context, limits, http2)
        )


def _client_kwargs(
    timeout: float | httpx.Timeout, headers: dict[str, str] | None
) -> dict[str, Any]:
    return {
        "timeout": timeout,
        "headers": {"User-Agent": USER_AGENT, **(headers or {})},
        "follow_redirects": False,  # a redirect could lead anywhere; never followed
        "trust_env": False,  # no env proxies, no .netrc credentials
    }


def build_async_client(
    policy: NetPolicy,
    *,
    ssl_context: ssl.SSLContext | None = None,
    ca_bundle: str | Path | None = None,
    timeout: float | httpx.Timeout = 30.0,
    limits: httpx.Limits = DEFAULT_LIMITS,
    headers: dict[str, str] | None = None,
    resolver: AsyncResolver | None = None,
    network_backend: httpcore.AsyncNetworkBackend | None = None,
) -> httpx.AsyncClient:
    """An AsyncClient whose every connection is resolved, screened and pinned.

    `network_backend` is the raw backend sockets are opened with (tests pass a recording
    one); `resolver` replaces DNS (tests pin a name to 127.0.0.1)."""
    backend = GuardedAsyncBackend(policy, resolver=resolver, inner=network_backend)
    transport = GuardedAsyncTransport(
        backend, ssl_context=ssl_context or build_ssl_context(ca_bundle), limits=limits
    )
    return httpx.AsyncClient(transport=transport, **_client_kwargs(timeout, headers))


def build_client(
    policy: NetPolicy,
    *,
    ssl_context: ssl.SSLContext | None = None,
    ca_bundle: str | Path | None = None,
    timeout: float | httpx.Timeout = 30.0,
    limits: httpx.Limits = DEFAULT_LIMITS,
    headers: dict[str, str] | None = None,
    resolver: SyncResolver | None = None,
    network_backend: httpcore.NetworkBackend | None = None,
) -> httpx.Client:
    """The blocking twin of build_async_client."""
    backend = GuardedSyncBackend(policy, resolver=resolver, inner=network_backend)
    transport = GuardedTransport(
        backend, ssl_context=ssl_context or build_ssl_context(ca_bundle), limits=limits
    )
    return httpx.Client(transport=transport, **_client_kwargs(timeout, headers))
