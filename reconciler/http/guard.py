"""The SSRF guard: httpx clients whose every connection to a configured URL

  1. resolves the host once, here (DNS), not inside the socket library;
  2. screens every address with the network policy (`reconciler.core.netpolicy`; an IPv6
     address that carries an IPv4 address is judged, and connected to, as that address);
  3. connects ONLY to an address that passed: there is no second lookup an attacker's DNS
     could answer differently (no DNS rebinding);
  4. runs TLS against the URL's host name: SNI and the certificate's name are checked by
     httpcore on the origin's host, with verification always on (`trust.build_ssl_context`).

The guard is an httpcore network backend (`connect_tcp` receives the URL's host and is the
one place a socket is opened), so connection pooling, HTTP/1.1 and timeouts stay httpx's
own. The transports send https:// only; clients never follow redirects and never read the
environment (no proxies: a proxy would resolve the name itself; no .netrc).

`settings.NetworkSettings` builds these clients from reconciler.yaml; every outbound request
of the tool goes through one (check, requests dispatch, the GitHub API).
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import anyio
import httpcore
import httpx

from reconciler.core.delivery import USER_AGENT
from reconciler.core.netpolicy import IPAddress, NetPolicy, Screening, literal_address
from reconciler.http.upload import EarlyAnswerStream

AsyncResolver = Callable[[str, int], Awaitable[list[IPAddress]]]
SyncResolver = Callable[[str, int], list[IPAddress]]
SocketOption = Any  # httpcore's SOCKET_OPTION union

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


# -- errors, as httpx raises them ---------------------------------------------------------
class PolicyRefused(httpx.RequestError):
    """The host resolved only to addresses the network policy refuses: nothing connected,
    nothing sent. Not a TransportError on purpose: it is never worth a retry."""

    def __init__(self, screening: Screening) -> None:
        super().__init__(screening.reason)
        self.screening = screening
        self.reason = screening.reason


class ResolutionFailed(httpx.ConnectError):
    """DNS could not resolve the host. A ConnectError: it may be transient."""

    def __init__(self, host: str, detail: str) -> None:
        super().__init__(f"DNS failure: cannot resolve {host} ({detail})")
        self.host = host
        self.reason = f"DNS failure: cannot resolve {host}"


# -- resolution and screening -------------------------------------------------------------
def _addresses(infos: Iterable[tuple[Any, ...]]) -> list[IPAddress]:
    seen: list[IPAddress] = []
    for info in infos:
        address = literal_address(str(info[4][0]))
        if address is not None and address not in seen:
            seen.append(address)
    return seen


def _gai_text(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror) and len(exc.args) > 1:
        return str(exc.args[1])
    return str(exc) or type(exc).__name__


async def resolve_async(host: str, port: int) -> list[IPAddress]:
    """getaddrinfo on a worker thread, as anyio (httpcore's I/O layer) does it."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    try:
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ResolutionFailed(host, _gai_text(exc)) from exc
    return _addresses(infos)


def resolve_sync(host: str, port: int) -> list[IPAddress]:
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ResolutionFailed(host, _gai_text(exc)) from exc
    return _addresses(infos)


def screen(policy: NetPolicy, host: str, addresses: Sequence[IPAddress]) -> Screening:
    """The addresses `host` may be connected at; raises PolicyRefused when none is left."""
    screening = policy.screen(host, addresses)
    if not screening.permitted:
        if not addresses:
            raise ResolutionFailed(host, "no address")
        raise PolicyRefused(screening)
    return screening


def _remaining(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ConnectTimeout("connect timed out")
    return left


_UNIX = "unix sockets are not allowed for configured endpoints"


# -- network backends: the only place sockets are opened ----------------------------------
class GuardedAsyncBackend(httpcore.AsyncNetworkBackend):
    """Resolve, screen, then connect to a screened address (tried in resolver order), all
    within httpcore's connect timeout. `inner` opens the sockets (tests record them); the
    stream stops an upload the server has already answered (`upload`)."""

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
        last: Exception | None = None
        for address in screen(self.policy, host, addresses).permitted:
            try:
                stream = await self.inner.connect_tcp(
                    str(address),
                    port,
                    timeout=_remaining(deadline),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return EarlyAnswerStream(stream)
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError(_UNIX)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedSyncBackend(httpcore.NetworkBackend):
    """The blocking twin of GuardedAsyncBackend (the system resolver's own timeouts bound
    the lookup)."""

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
        last: Exception | None = None
        for address in screen(self.policy, host, self.resolver(host, port)).permitted:
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
        raise httpcore.ConnectError(_UNIX)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


# -- transports and clients ---------------------------------------------------------------
def _pool_kwargs(ssl_context: ssl.SSLContext, limits: httpx.Limits) -> dict[str, Any]:
    return {
        "ssl_context": ssl_context,
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
        "http1": True,
        "http2": False,
    }


def _https_only(request: httpx.Request) -> None:
    if request.url.scheme != "https":
        raise httpx.UnsupportedProtocol(
            f"only https:// URLs are sent to, not {request.url.scheme}://", request=request
        )


class GuardedAsyncTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with its connection pool on the guarded backend, https only."""

    def __init__(
        self,
        backend: GuardedAsyncBackend,
        *,
        ssl_context: ssl.SSLContext,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> None:
        super().__init__(verify=ssl_context, trust_env=False, limits=limits)
        # httpx takes no network backend; the pool is what it sends through.
        self._pool = httpcore.AsyncConnectionPool(
            network_backend=backend, **_pool_kwargs(ssl_context, limits)
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _https_only(request)
        return await super().handle_async_request(request)


class GuardedTransport(httpx.HTTPTransport):
    """The blocking twin of GuardedAsyncTransport."""

    def __init__(
        self,
        backend: GuardedSyncBackend,
        *,
        ssl_context: ssl.SSLContext,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> None:
        super().__init__(verify=ssl_context, trust_env=False, limits=limits)
        self._pool = httpcore.ConnectionPool(
            network_backend=backend, **_pool_kwargs(ssl_context, limits)
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _https_only(request)
        return super().handle_request(request)


def _client_kwargs(
    timeout: float | httpx.Timeout, headers: dict[str, str] | None
) -> dict[str, Any]:
    return {
        "timeout": timeout,
        "headers": {"User-Agent": USER_AGENT, **(headers or {})},
        "follow_redirects": False,  # a redirect could lead anywhere; never followed
        "trust_env": False,  # no proxies from the environment, no .netrc credentials
    }


def build_async_client(
    policy: NetPolicy,
    *,
    ssl_context: ssl.SSLContext,
    timeout: float | httpx.Timeout = 30.0,
    limits: httpx.Limits = DEFAULT_LIMITS,
    headers: dict[str, str] | None = None,
    resolver: AsyncResolver | None = None,
    network_backend: httpcore.AsyncNetworkBackend | None = None,
) -> httpx.AsyncClient:
    """An AsyncClient whose every connection is resolved, screened and pinned.

    `network_backend` opens the raw sockets (tests pass a recording one); `resolver`
    replaces DNS (tests point a name at 127.0.0.1)."""
    backend = GuardedAsyncBackend(policy, resolver=resolver, inner=network_backend)
    transport = GuardedAsyncTransport(backend, ssl_context=ssl_context, limits=limits)
    return httpx.AsyncClient(transport=transport, **_client_kwargs(timeout, headers))


def build_client(
    policy: NetPolicy,
    *,
    ssl_context: ssl.SSLContext,
    timeout: float | httpx.Timeout = 30.0,
    limits: httpx.Limits = DEFAULT_LIMITS,
    headers: dict[str, str] | None = None,
    resolver: SyncResolver | None = None,
    network_backend: httpcore.NetworkBackend | None = None,
) -> httpx.Client:
    """The blocking twin of build_async_client."""
    backend = GuardedSyncBackend(policy, resolver=resolver, inner=network_backend)
    transport = GuardedTransport(backend, ssl_context=ssl_context, limits=limits)
    return httpx.Client(transport=transport, **_client_kwargs(timeout, headers))
