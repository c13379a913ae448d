"""Guarded connections without an HTTP client (PRODUCT.md sections 9 and 11).

The four steps every outbound connection to a configured URL takes -- resolve the host
once, screen every address with the network policy, connect ONLY to a screened address,
verify TLS against the original host name -- as plain asyncio streams, plus the TLS
context and the network settings of a run. `reconciler check` sends one HEAD per
connection with these and never imports httpx (a third of its start-up); the httpx
transports in `reconciler.http.guard` take the same steps through httpcore.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote, urlsplit

from reconciler import __version__
from reconciler.core.netpolicy import (
    AllowlistError,
    IPAddress,
    NetPolicy,
    Screening,
    literal_address,
)
from reconciler.errors import ConfigError
from reconciler.http.errors import InvalidURL
from reconciler.http.trust import (  # noqa: F401  (importable from here too)
    certifi_bundle,
    prefetch_trust,
    system_capath,
    trusting_context,
)

if TYPE_CHECKING:
    import httpx

    from reconciler.core.repoconfig import RepoConfig

USER_AGENT = f"flow-reconciler/{__version__}"

AsyncResolver = Callable[[str, int], Awaitable[list[IPAddress]]]
SyncResolver = Callable[[str, int], list[IPAddress]]


# -- errors ---------------------------------------------------------------------------
class PolicyRefusal(Exception):
    """The host resolved only to addresses the network policy refuses. Nothing was sent,
    nothing connected; never worth a retry. (`guard.PolicyRefused` is the httpx flavour.)"""

    def __init__(self, screening: Screening) -> None:
        super().__init__(screening.reason)
        self.screening = screening
        self.reason = screening.reason


class DnsFailure(Exception):
    """DNS could not resolve the host (may be transient). (`guard.ResolutionFailed` is the
    httpx flavour.)"""

    def __init__(self, host: str, detail: str) -> None:
        super().__init__(f"DNS failure: cannot resolve {host} ({detail})")
        self.host = host
        self.reason = f"DNS failure: cannot resolve {host}"


# -- TLS ------------------------------------------------------------------------------
def build_ssl_context(ca_bundle: str | Path | None = None) -> ssl.SSLContext:
    """Verification always on: system CAs + certifi, plus an extra PEM bundle if given."""
    context = trusting_context()
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
def addresses_of(infos: Iterable[tuple[Any, ...]]) -> list[IPAddress]:
    seen: list[IPAddress] = []
    for info in infos:
        address = literal_address(str(info[4][0]))
        if address is not None and address not in seen:
            seen.append(address)
    return seen


def gai_text(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror) and len(exc.args) > 1:
        return str(exc.args[1])
    return str(exc) or type(exc).__name__


async def resolve_async(host: str, port: int) -> list[IPAddress]:
    """The loop's resolver (`host` is ASCII: IDNA-encoded by the caller)."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DnsFailure(host, gai_text(exc)) from exc
    return addresses_of(infos)


def screen(
    policy: NetPolicy,
    host: str,
    addresses: Sequence[IPAddress],
    refused: Callable[[Screening], Exception] = PolicyRefusal,
) -> Screening:
    screening = policy.screen(host, addresses)
    if not screening.permitted:
        raise refused(screening)
    return screening


# -- a bare guarded TLS stream (the HEAD prober of `reconciler check`) -------------------
Connector = Callable[..., Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


class GuardedStream(NamedTuple):
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    address: IPAddress  # the screened address the socket is connected to


class Closings:
    """Connections closing in the background: each sends its TLS close_notify and waits
    for the peer's on its own, from the moment it is closed, so that at the end only the
    last few are left to wait for (not hundreds of waits started at once)."""

    def __init__(self) -> None:
        self._pending: dict[asyncio.Future[None], asyncio.StreamWriter] = {}

    def close(self, writer: asyncio.StreamWriter) -> None:
        writer.close()
        waiting = asyncio.ensure_future(writer.wait_closed())
        self._pending[waiting] = writer
        waiting.add_done_callback(self._closed)

    def _closed(self, waiting: asyncio.Future[None]) -> None:
        self._pending.pop(waiting, None)
        if not waiting.cancelled():
            # wait_closed() re-raises a connection's error (e.g. a reset): nothing to act on
            # (retrieved so that asyncio does not log it).
            waiting.exception()

    async def finish(self, grace: float = 1.0) -> None:
        """Let the connections still closing finish their TLS shutdown; abort those that
        take longer than `grace`."""
        if not self._pending:
            return
        _, late = await asyncio.wait(list(self._pending), timeout=grace)
        for waiting in late:
            writer = self._pending.pop(waiting, None)
            waiting.cancel()
            if writer is not None:
                writer.transport.abort()


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

    The same four steps as the httpx backends of `guard`, on plain asyncio streams: used
    where one request per connection is all that is needed and httpx's per-request cost
    shows (checking hundreds of URLs, posting batches). Raises PolicyRefusal, DnsFailure,
    TimeoutError, OSError or ssl.SSLError. `connector` replaces asyncio.open_connection (tests)."""
    deadline = time.monotonic() + timeout
    try:
        async with asyncio.timeout(timeout):
            addresses = await (resolver or resolve_async)(host, port)
    except TimeoutError:
        raise DnsFailure(host, "DNS lookup timed out") from None
    screening = screen(policy, host, addresses)
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


class Target(NamedTuple):
    """What a request needs of an https:// URL: ASCII host, port, request target."""

    host: str  # IDNA-encoded; an IPv6 address without brackets
    port: int
    path: bytes  # path and query, percent-encoded


# Characters a request target keeps as they are (RFC 3986 pchar, "/" and "?"; "%" keeps
# existing escapes); anything else (spaces, non-ASCII) is percent-encoded.
_TARGET_SAFE = "/?:@!$&'()*+,;=-._~%"


def parse_target(url: str) -> Target:
    """Raises InvalidURL. (httpx.URL would do, at the price of importing httpx.) The scheme
    is the caller's to check."""
    try:
        parts = urlsplit(url)
        port = parts.port or 443
        host = parts.hostname or ""
    except ValueError as exc:
        raise InvalidURL(str(exc)) from None
    if not host:
        raise InvalidURL("no host")
    if not host.isascii():
        import idna

        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise InvalidURL(f"invalid host {host!r}: {exc}") from None
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return Target(host, port, quote(target, safe=_TARGET_SAFE).encode("ascii"))


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
        from reconciler.http.guard import build_async_client

        kwargs.setdefault("ssl_context", self.ssl_context())
        return build_async_client(self.policy, **kwargs)

    def client(self, **kwargs: Any) -> httpx.Client:
        from reconciler.http.guard import build_client

        kwargs.setdefault("ssl_context", self.ssl_context())
        return build_client(self.policy, **kwargs)
