"""Is an endpoint reachable? (PRODUCT.md section 9)

For each distinct URL, at most `concurrency` at a time: a guarded socket
(`connect.open_guarded_socket`: DNS, network policy, pinned address, verified TLS) carries
one `HEAD` request head -- never a body, never a redirect followed -- and the response head
is parsed by httptools (llhttp, as dispatch's POSTs). One request per connection needs no
pool, client or event loop: each slot is a thread on blocking sockets (OpenSSL's
handshakes and the waits release the GIL), which costs less per URL than asyncio's
transports, and `check` imports neither asyncio nor httpx.
Reachable = a TLS handshake and any HTTP response. A connect failure is retried once;
TLS and policy verdicts are final. Each attempt has a deadline; results are data."""

from __future__ import annotations

import errno
import queue
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import urlsplit

import httptools

from reconciler.core.endpoints import (
    CheckReport,
    CheckResult,
    EndpointUse,
    Outcome,
    expiry_warning,
    status_warning,
)
from reconciler.core.netpolicy import NetPolicy
from reconciler.http.connect import (
    USER_AGENT,
    DnsFailure,
    NetworkSettings,
    PolicyRefusal,
    SocketConnector,
    SyncResolver,
    Target,
    close_tls,
    open_guarded_socket,
    parse_target,
)
from reconciler.http.errors import (
    ConnectError,
    ConnectTimeout,
    InvalidURL,
    ReadError,
    ReadTimeout,
    RemoteProtocolError,
    RequestError,
)
from reconciler.http.response import MAX_HEAD_BYTES, READ_BYTES, ResponseReading

DEFAULT_CONCURRENCY = 20
DEFAULT_TIMEOUT = 10.0
RETRY_DELAY = 0.25

Progress = Callable[[CheckResult], None]


class CheckOptions(NamedTuple):
    concurrency: int = DEFAULT_CONCURRENCY
    timeout: float = DEFAULT_TIMEOUT  # per attempt: DNS, connect, TLS and the response head
    retry_delay: float = RETRY_DELAY


DEFAULT_OPTIONS = CheckOptions()


# OpenSSL X509_V_ERR_* codes we name in plain words.
_UNKNOWN_CA_CODES = {2, 18, 19, 20, 21}
_EXPIRED = 10
_NOT_YET_VALID = 9
_HOSTNAME_MISMATCH = {62, 64}  # host name, IP address


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def classify_failure(exc: BaseException, url: str, timeout: float) -> tuple[Outcome, str, bool]:
    """(outcome, reason in plain words, worth one retry)."""
    if isinstance(exc, PolicyRefusal):
        return Outcome.REFUSED_BY_POLICY, exc.reason, False
    if isinstance(exc, DnsFailure):
        return Outcome.DNS_FAILURE, exc.reason, False
    # Timeouts first: a cancelled handshake leaves incidental SSL errors in the chain.
    if isinstance(exc, ConnectTimeout):
        return Outcome.TIMEOUT, f"timeout: no connection within {timeout:g}s", True
    if isinstance(exc, TimeoutError | ReadTimeout):
        return Outcome.TIMEOUT, f"timeout: no response within {timeout:g}s", False
    host = urlsplit(url).hostname or url
    for cause in _chain(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            code = cause.verify_code
            if code == _EXPIRED:
                return Outcome.TLS_EXPIRED, "TLS: certificate expired", False
            if code in _HOSTNAME_MISMATCH:
                return (
                    Outcome.TLS_HOSTNAME_MISMATCH,
                    f"TLS: hostname mismatch (the certificate is not valid for {host})",
                    False,
                )
            if code in _UNKNOWN_CA_CODES:
                return (
                    Outcome.TLS_UNKNOWN_CA,
                    "TLS: unknown CA (certificate not issued by a trusted authority; "
                    "add the CA with --ca-bundle or network.caBundle)",
                    False,
                )
            if code == _NOT_YET_VALID:
                return Outcome.TLS_ERROR, "TLS: certificate not yet valid", False
            return Outcome.TLS_ERROR, f"TLS: {cause.verify_message}", False
        if isinstance(cause, ssl.SSLError):
            return Outcome.TLS_ERROR, f"TLS handshake failed ({cause.reason or cause})", False
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return Outcome.CONNECTION_REFUSED, "connection refused", True
    if isinstance(exc, ConnectError):
        return Outcome.CONNECT_FAILED, f"connection failed ({exc or type(exc).__name__})", True
    if isinstance(exc, InvalidURL):
        return Outcome.INVALID_URL, f"invalid URL ({exc})", False
    if isinstance(exc, RemoteProtocolError):
        return Outcome.PROTOCOL_ERROR, f"not a valid HTTP response ({exc})", False
    if isinstance(exc, RequestError):
        return Outcome.CONNECT_FAILED, f"{type(exc).__name__}: {exc}", False
    raise exc


@dataclass(frozen=True)
class Prober:
    """Everything the checks of one run share (read-only, so the threads share it)."""

    policy: NetPolicy
    ssl_context: ssl.SSLContext
    options: CheckOptions
    resolver: SyncResolver | None = None
    connector: SocketConnector | None = None

    def attempt(self, url: str) -> CheckResult:
        """One HEAD on its own connection: resolve, screen, pinned connect, verified TLS,
        request head, response head, all within one deadline. Failures are raised as
        httpx errors for classify_failure."""
        timeout = self.options.timeout
        parsed = parse_target(url)
        host, port = parsed.host, parsed.port
        started = time.perf_counter()
        try:
            guarded = open_guarded_socket(
                self.policy,
                host,
                port,
                ssl_context=self.ssl_context,
                timeout=timeout,
                resolver=self.resolver,
                connector=self.connector,
            )
        except TimeoutError as exc:
            raise ConnectTimeout(f"no connection within {timeout:g}s") from exc
        except (OSError, ssl.SSLError) as exc:
            raise ConnectError(str(exc) or type(exc).__name__) from exc
        sock = guarded.sock
        try:
            expires = _expiry(sock)
            response = _head(sock, parsed, host, port, deadline=started + timeout)
        except TimeoutError as exc:
            raise ReadTimeout(f"no response within {timeout:g}s") from exc
        except (OSError, ssl.SSLError) as exc:
            raise ReadError(str(exc) or type(exc).__name__) from exc
        finally:
            close_tls(sock)
        latency = (time.perf_counter() - started) * 1000
        now = datetime.now(UTC)
        status = response.status
        warnings = [
            w
            for w in (
                status_warning(status, response.headers.get("location")),
                expiry_warning(expires, now),
            )
            if w
        ]
        return CheckResult(
            url=url,
            outcome=Outcome.REDIRECT if 300 <= status < 400 else Outcome.OK,
            reason=f"reachable (HTTP {status})",
            checked_at=now,
            http_status=status,
            latency_ms=latency,
            cert_expires_at=expires,
            address=str(guarded.address),
            warnings=tuple(warnings),
        )

    def check(self, url: str) -> CheckResult:
        if urlsplit(url).scheme.lower() != "https":
            # Never plain HTTP: validation rejects it, and we do not contact it either.
            return CheckResult(url, Outcome.INVALID_URL, "not an https:// URL", datetime.now(UTC))
        attempts = 0
        while True:
            attempts += 1
            try:
                return replace(self.attempt(url), attempts=attempts)
            except Exception as exc:
                outcome, reason, retry = classify_failure(exc, url, self.options.timeout)
                if retry and attempts < 2:
                    time.sleep(self.options.retry_delay)
                    continue
                return CheckResult(url, outcome, reason, datetime.now(UTC), attempts=attempts)


def _head(
    sock: ssl.SSLSocket, url: Target, host: str, port: int, *, deadline: float
) -> ResponseReading:
    """Send exactly one request head (HEAD, no body) and read the response head, by
    `deadline` (perf_counter)."""
    authority = f"[{host}]" if ":" in host else host
    if port != 443:
        authority += f":{port}"
    _settimeout_until(sock, deadline)
    sock.sendall(
        f"HEAD {url.path.decode('ascii')} HTTP/1.1\r\nHost: {authority}\r\n"
        f"User-Agent: {USER_AGENT}\r\nAccept: */*\r\nConnection: close\r\n\r\n".encode("ascii")
    )
    response = ResponseReading(max_body=0)
    parser = response.parser = httptools.HttpResponseParser(response)
    while not response.status:  # interim 1xx responses: keep reading
        _settimeout_until(sock, deadline)
        data = sock.recv(READ_BYTES)
        if not data:
            raise RemoteProtocolError("the server closed the connection without a response")
        try:
            parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade) as exc:
            if response.status:
                break  # the head is in; what follows it is never read
            raise RemoteProtocolError(f"invalid HTTP response: {exc}") from exc
        if not response.status and response.head_bytes(len(data)) > MAX_HEAD_BYTES:
            raise RemoteProtocolError("response head too large")
    return response


def _settimeout_until(sock: ssl.SSLSocket, deadline: float) -> None:
    left = deadline - time.perf_counter()
    if left <= 0:
        raise TimeoutError("deadline passed")
    sock.settimeout(left)


def _expiry(sock: ssl.SSLSocket) -> datetime | None:
    cert = sock.getpeercert()
    if cert and cert.get("notAfter"):
        return cert_time(str(cert["notAfter"]))
    return None


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def cert_time(text: str) -> datetime:
    """A certificate time as OpenSSL prints it ("May  9 07:35:25 2027 GMT") in UTC. Read
    here rather than by ssl.cert_time_to_seconds: its time.strptime costs an import and
    60 us a call, which show on hundreds of URLs. Raises ValueError, as it does."""
    try:
        month, day, clock, year, zone = text.split()
        hour, minute, second = clock.split(":")
        if zone == "GMT":
            return datetime(
                int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=UTC
            )
    except (ValueError, KeyError):
        pass
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(text), UTC)  # anything unusual


class Probes:
    """Checks under way on up to `options.concurrency` threads. URLs go in as they become
    known (`submit`, from one thread; each distinct URL is checked once) -- `check` starts
    while its tree is still loading -- and `results` collects them on the calling thread."""

    def __init__(
        self,
        policy: NetPolicy,
        ssl_context: ssl.SSLContext,
        options: CheckOptions = DEFAULT_OPTIONS,
        *,
        resolver: SyncResolver | None = None,
        connector: SocketConnector | None = None,
    ) -> None:
        self._prober = Prober(policy, ssl_context, options, resolver, connector)
        self._limit = max(1, options.concurrency)
        self._submitted: dict[str, None] = {}  # insertion-ordered set
        self._todo: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[CheckResult | BaseException | None] = queue.SimpleQueue()
        self._failed = threading.Event()
        self._threads = 0
        self.started: float | None = None  # perf_counter at the first URL

    def submit(self, url: str) -> None:
        if url in self._submitted:
            return
        if self.started is None:
            self.started = time.perf_counter()
        self._submitted[url] = None
        self._todo.put(url)
        if self._threads < self._limit:
            self._threads += 1
            # Daemons: an interrupted run (Ctrl-C) does not wait for the slots' deadlines.
            threading.Thread(
                target=self._work, name=f"reconciler-check-{self._threads}", daemon=True
            ).start()

    def _work(self) -> None:
        try:
            while not self._failed.is_set():
                url = self._todo.get()
                if url is None:
                    break
                self._done.put(self._prober.check(url))
        except BaseException as exc:  # a bug, not a verdict (classify_failure re-raises)
            self._failed.set()
            self._done.put(exc)
        finally:
            self._done.put(None)

    def results(self, progress: Progress | None = None) -> list[CheckResult]:
        """Every submitted URL's result, in submission order; `progress` sees each as it
        comes in. Nothing may be submitted after this."""
        for _ in range(self._threads):
            self._todo.put(None)  # one stop per thread, after the URLs
        by_url: dict[str, CheckResult] = {}
        error: BaseException | None = None
        running = self._threads
        while running:
            item = self._done.get()
            if item is None:
                running -= 1
            elif isinstance(item, BaseException):
                error = error or item
            else:
                by_url[item.url] = item
                if progress:
                    progress(item)
        if error is not None:
            raise error
        return [by_url[url] for url in self._submitted]


def check_urls(
    urls: Iterable[str],
    policy: NetPolicy,
    *,
    ssl_context: ssl.SSLContext,
    options: CheckOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
    resolver: SyncResolver | None = None,
    connector: SocketConnector | None = None,
) -> list[CheckResult]:
    """One HEAD per distinct URL on at most `options.concurrency` threads, input order
    kept. `progress` sees each result on the calling thread as it comes in."""
    probes = Probes(policy, ssl_context, options, resolver=resolver, connector=connector)
    for url in urls:
        probes.submit(url)
    return probes.results(progress)


def check_endpoints(
    uses: Mapping[str, Sequence[EndpointUse]],
    settings: NetworkSettings,
    *,
    options: CheckOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
    scope: str = "all",
    unchanged: int = 0,
    notes: Sequence[str] = (),
) -> CheckReport:
    """Check every URL in `uses` once and attach the flows using it (check and apply);
    `progress` sees each result, with its flows, as it comes in."""
    started = time.perf_counter()
    probes = Probes(settings.policy, settings.ssl_context(), options)
    for url in uses:
        probes.submit(url)
    attached: dict[str, CheckResult] = {}

    def arrived(result: CheckResult) -> None:
        attached[result.url] = result = result.with_uses(uses.get(result.url, ()))
        if progress:
            progress(result)

    results = probes.results(arrived)
    return CheckReport(
        tuple(attached[r.url] for r in results),
        scope=scope,
        unchanged=unchanged,
        notes=tuple(notes),
        duration_s=time.perf_counter() - started,
    )
