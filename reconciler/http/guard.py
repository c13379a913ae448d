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

import asyncio
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import httpcore
import httpx

from reconciler import __version__
from reconciler.core.netpolicy import (
    AllowlistError,
    IPAddress,
    NetPolicy,
    Screening,
    literal_address,
)
from reconciler.errors import ConfigError

if TYPE_CHECKING:
    from reconciler.core.repoconfig import RepoConfig

USER_AGENT = f"flow-reconciler/{__version__}"
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)

AsyncResolver = Callable[[str, int], Awaitable[list[IPAddress]]]
SyncResolver = Callable[[str, int], list[IPAddress]]
SocketOption = Any  # httpcore's SOCKET_OPTION union


# -- errors ---------------------------------------------------------------------------
class PolicyRefused(httpx.RequestError):
    """The host resolved only to addresses the network policy refuses. Nothing was sent,
    nothing connected. Not a TransportError on purpose: it must never be retried."""

    def __init__(self, screening: Screening) -> None:
        super().__init__(screening.reason)
        self.screening = screening
        self.reason = screening.reason


class ResolutionFailed(httpx.ConnectError):
    """DNS could not resolve the host (a ConnectError: it may be transient)."""

    def __init__(self, host: str, detail: str) -> None:
        super().__init__(f"DNS failure: cannot resolve {host} ({detail})")
        self.host = host
        self.reason = f"DNS failure: cannot resolve {host}"


# -- TLS ------------------------------------------------------------------------------
def build_ssl_context(ca_bundle: str | Path | None = None) -> ssl.SSLContext:
    """Verification always on: system CAs + certifi, plus an extra PEM bundle if given."""
    import certifi

    context = ssl.create_default_context()
    context.load_verify_locations(cafile=certifi.where())
    if ca_bundle is not None:
        path = Path(ca_bundle)
        try:
            context.load_verify_locations(cafile=str(path))
        except FileNotFoundError:
            raise ConfigError(
                f"CA bundle {path} does not exist",
                hint="network.caBundle in reconciler.yaml is relative to the repo root",
            ) from None
        except (ssl.SSLError, OSError, ValueError) as exc:
            raise ConfigError(
                f"CA bundle {path} is not a readable PEM certificate file: {exc}"
            ) from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


# -- resolution -----------------------------------------------------------------------
def _addresses(infos: Iterable[tuple[Any, ...]]) -> list[IPAddress]:
    seen: list[IPAddress] = []
    for info in infos:
        address = literal_address(str(info[4][0]))
        if address is not None and address not in seen:
            seen.append(address)
    return seen


async def resolve_async(host: str, port: int) -> list[IPAddress]:
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


def _gai_text(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror) and len(exc.args) > 1:
        return str(exc.args[1])
    return str(exc) or type(exc).__name__


def _screen(policy: NetPolicy, host: str, addresses: Sequence[IPAddress]) -> Screening:
    screening = policy.screen(host, addresses)
    if not screening.permitted:
        raise PolicyRefused(screening)
    return screening


def _remaining(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ConnectTimeout("connect timed out")
    return left


# -- a bare guarded TLS stream (the HEAD prober of `reconciler check`) -------------------
Connector = Callable[..., Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


@dataclass(frozen=True)
class GuardedStream:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    address: IPAddress  # the screened address the socket is connected to


async def open_guarded_stream(
    policy: NetPolicy,
    host: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext,
    timeout: float,
    resolver: AsyncResolver | None = None,
    connector: Connector | None = None,
) -> GuardedStream:
    """Resolve, screen, connect to a screened address, TLS-verify against `host`.

    The same four steps as the httpx backends above, on plain asyncio streams: used where
    one request per connection is all that is needed and httpx's per-request cost shows
    (checking hundreds of URLs). Raises PolicyRefused, ResolutionFailed, TimeoutError,
    OSError or ssl.SSLError. `connector` replaces asyncio.open_connection (tests)."""
    deadline = time.monotonic() + timeout
    try:
        async with asyncio.timeout(timeout):
            addresses = await (resolver or resolve_async)(host, port)
    except TimeoutError:
        raise ResolutionFailed(host, "DNS lookup timed out") from None
    screening = _screen(policy, host, addresses)
    connect = connector or asyncio.open_connection
    last: BaseException | None = None
    for address in screening.permitted:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            async with asyncio.timeout(left):
                reader, writer = await connect(
                    str(address), port, ssl=ssl_context, server_hostname=host
                )
            return GuardedStream(reader, writer, address)
        except ssl.SSLError:
            raise  # the certificate will not get better at another address
        except (OSError, TimeoutError) as exc:
            last = exc
    raise last if last is not None else TimeoutError("connect timed out")


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


# -- from reconciler.yaml -------------------------------------------------------------
@dataclass(frozen=True)
class NetworkSettings:
    """Policy + trusted CAs for one run, from reconciler.yaml and the command line."""

    policy: NetPolicy
    ca_bundle: Path | None = None
    _contexts: dict[str, ssl.SSLContext] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def from_config(
        cls, config: RepoConfig | None, root: Path, *, ca_bundle: str | Path | None = None
    ) -> NetworkSettings:
        """`ca_bundle` (e.g. --ca-bundle, relative to the CWD) wins over network.caBundle
        (relative to the repo root)."""
        entries = list(config.allow) if config else []
        try:
            policy = NetPolicy.parse(entries)
        except AllowlistError as exc:
            raise ConfigError(
                f"reconciler.yaml: {exc}",
                hint='entries look like "api.corp.example", "*.corp.example" or "10.1.0.0/16"',
            ) from None
        bundle: Path | None = None
        if ca_bundle is not None:
            bundle = Path(ca_bundle)
        elif config and config.ca_bundle:
            bundle = root / config.ca_bundle
        return cls(policy, bundle)

    def ssl_context(self) -> ssl.SSLContext:
        """Built once per settings (loading the CA stores takes ~0.1 s)."""
        cached = self._contexts.get("ssl")
        if cached is None:
            cached = self._contexts["ssl"] = build_ssl_context(self.ca_bundle)
        return cached

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        kwargs.setdefault("ssl_context", self.ssl_context())
        return build_async_client(self.policy, **kwargs)

    def client(self, **kwargs: Any) -> httpx.Client:
        kwargs.setdefault("ssl_context", self.ssl_context())
        return build_client(self.policy, **kwargs)
