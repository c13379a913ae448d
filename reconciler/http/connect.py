"""Guarded connections without an HTTP client (PRODUCT.md sections 9 and 11).

The four steps every outbound connection to a configured URL takes -- resolve the host
once, screen every address with the network policy, connect ONLY to a screened address,
verify TLS against the original host name -- on a plain blocking socket
(`open_guarded_socket`, the HEAD prober of `reconciler check`), plus the TLS context and
the network settings of a run. Nothing here imports asyncio or httpx, so `check` loads
neither: `reconciler.http.streams` takes the same steps on asyncio streams (dispatch's
poster), `reconciler.http.guard` through httpcore (httpx clients).
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Sequence
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
    system_capath,
    trusting_context,
)

if TYPE_CHECKING:
    import httpx

    from reconciler.models import Config

USER_AGENT = f"flow-reconciler/{__version__}"

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


# -- a guarded TLS socket (the HEAD prober of `reconciler check`) ------------------------
SocketConnector = Callable[[str, int, float], socket.socket]


def resolve(
    host: str, port: int, failed: Callable[[str, str], Exception] = DnsFailure
) -> list[IPAddress]:
    """getaddrinfo, blocking (`host` is ASCII: IDNA-encoded by the caller); `failed` is the
    error a failed lookup raises (guard's httpx flavour, ResolutionFailed)."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    try:
        # As bytes: a str would be IDNA-encoded again (importing the codec, ~8 ms).
        infos = socket.getaddrinfo(host.encode("ascii"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise failed(host, gai_text(exc)) from exc
    return addresses_of(infos)


def resolve_within(
    resolver: SyncResolver | None, host: str, port: int, timeout: float
) -> list[IPAddress]:
    """`resolver(host, port)` (default: `resolve`), given up after `timeout` seconds:
    getaddrinfo has no timeout of its own, so a lookup runs on a helper thread that is left
    behind if it hangs. A literal address needs no lookup and no thread."""
    if resolver is None:
        literal = literal_address(host)
        if literal is not None:
            return [literal]
        resolver = resolve
    outcome: list[list[IPAddress] | BaseException] = []
    finished = threading.Event()

    def lookup() -> None:
        try:
            outcome.append(resolver(host, port))
        except BaseException as exc:  # handed to the waiting thread
            outcome.append(exc)
        finally:
            finished.set()

    threading.Thread(target=lookup, name="reconciler-dns", daemon=True).start()
    if not finished.wait(timeout):
        raise DnsFailure(host, "DNS lookup timed out")
    found = outcome[0]
    if isinstance(found, BaseException):
        raise found
    return found


def connect_socket(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to an address (never a name: nothing is resolved here)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # As asyncio does: TLS's last handshake message and the request head are small
        # writes that Nagle's algorithm would hold back until the peer's ACK.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(timeout)
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


class GuardedSocket(NamedTuple):
    sock: ssl.SSLSocket  # blocking, TLS verified
    address: IPAddress  # the screened address it is connected to


def open_guarded_socket(
    policy: NetPolicy,
    host: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext,
    timeout: float,
    resolver: SyncResolver | None = None,
    connector: SocketConnector | None = None,
) -> GuardedSocket:
    """Resolve, screen, connect to a screened address, TLS-verify against `host`, all
    within `timeout`. Raises PolicyRefusal, DnsFailure, TimeoutError, OSError or
    ssl.SSLError. `connector` replaces connect_socket (tests)."""
    deadline = time.monotonic() + timeout
    screening = screen(policy, host, resolve_within(resolver, host, port, timeout))
    connect = connector or connect_socket
    last: OSError | None = None
    for address in screening.permitted:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            raw = connect(str(address), port, left)
        except OSError as exc:  # refused, unreachable, timed out: try the next address
            last = exc
            continue
        try:
            raw.settimeout(max(deadline - time.monotonic(), 0.001))
            # The name as bytes: ssl would IDNA-encode a str again (importing the codec).
            tls = ssl_context.wrap_socket(raw, server_hostname=host.encode("ascii"))
            return GuardedSocket(tls, address)
        except ssl.SSLError:
            raw.close()  # (a no-op once the TLS socket has taken the descriptor over)
            raise  # the certificate will not get better at another address
        except OSError as exc:  # the handshake timed out or was reset: the next address
            raw.close()
            last = exc
    raise last if last is not None else TimeoutError("connect timed out")


def close_tls(sock: ssl.SSLSocket) -> None:
    """Send our close_notify and close, without waiting for the peer's (RFC 8446 6.1: the
    side that closes need not wait): a slow or silent peer never holds a check up."""
    try:
        sock.setblocking(False)
        sock.unwrap()
    except (OSError, ValueError):  # SSLWantReadError: the peer's close_notify is not in yet
        pass
    finally:
        sock.close()


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
        cls, config: Config | None, root: Path, *, ca_bundle: str | Path | None = None
    ) -> NetworkSettings:
        """`ca_bundle` (e.g. --ca-bundle, relative to the CWD) wins over network.caBundle
        (relative to the repo root)."""
        entries = list(config.network.allow) if config else []
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
        elif config and config.network.caBundle:
            bundle = root / config.network.caBundle
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
