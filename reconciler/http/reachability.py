"""Is an endpoint reachable? One guarded `HEAD` per distinct URL -- never a body, never a
redirect followed -- at most `concurrency` at a time, through `exchange.BoundedClient`
(DNS, network policy, pinned address, verified TLS; the whole attempt within `timeout`).

Reachable = a TLS handshake and any HTTP response. A connect failure is retried once; DNS,
TLS and policy verdicts are final. Results are data (CheckResult), in input order."""

from __future__ import annotations

import asyncio
import errno
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import httpcore
import httpx

from reconciler.core.endpoints import (
    CheckReport,
    CheckResult,
    EndpointUse,
    Outcome,
    expiry_warning,
    status_warning,
)
from reconciler.http.exchange import BoundedClient, Reply
from reconciler.http.guard import AsyncResolver, PolicyRefused, ResolutionFailed
from reconciler.http.settings import NetworkSettings

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


def _tls_verdict(cause: ssl.SSLCertVerificationError, host: str) -> tuple[Outcome, str]:
    code = cause.verify_code
    if code == _EXPIRED:
        return Outcome.TLS_EXPIRED, "TLS: certificate expired"
    if code in _HOSTNAME_MISMATCH:
        return (
            Outcome.TLS_HOSTNAME_MISMATCH,
            f"TLS: hostname mismatch (the certificate is not valid for {host})",
        )
    if code in _UNKNOWN_CA_CODES:
        return (
            Outcome.TLS_UNKNOWN_CA,
            "TLS: unknown CA (certificate not issued by a trusted authority; "
            "add the CA with --ca-bundle or network.caBundle)",
        )
    if code == _NOT_YET_VALID:
        return Outcome.TLS_ERROR, "TLS: certificate not yet valid"
    return Outcome.TLS_ERROR, f"TLS: {cause.verify_message}"


def classify_failure(exc: BaseException, url: str, timeout: float) -> tuple[Outcome, str, bool]:
    """(outcome, reason in plain words, worth one retry). A failure that is not a verdict
    on the endpoint (a bug) is raised again."""
    if isinstance(exc, PolicyRefused):
        return Outcome.REFUSED_BY_POLICY, exc.reason, False
    if isinstance(exc, ResolutionFailed):
        return Outcome.DNS_FAILURE, exc.reason, False
    # Timeouts first: a cancelled handshake leaves incidental SSL errors in the chain.
    if isinstance(exc, httpx.ConnectTimeout):
        return Outcome.TIMEOUT, f"timeout: no connection within {timeout:g}s", True
    if isinstance(exc, httpx.TimeoutException):
        return Outcome.TIMEOUT, f"timeout: no response within {timeout:g}s", False
    host = urlsplit(url).hostname or url
    for cause in _chain(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            outcome, reason = _tls_verdict(cause, host)
            return outcome, reason, False
        if isinstance(cause, ssl.SSLError):
            return Outcome.TLS_ERROR, f"TLS handshake failed ({cause.reason or cause})", False
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return Outcome.CONNECTION_REFUSED, "connection refused", True
    if isinstance(exc, httpx.ConnectError):
        return Outcome.CONNECT_FAILED, f"connection failed ({exc or type(exc).__name__})", True
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return Outcome.INVALID_URL, f"invalid URL ({exc})", False
    if isinstance(exc, httpx.RemoteProtocolError):
        if "without sending a response" in str(exc):  # httpcore's words for an early EOF
            return (
                Outcome.PROTOCOL_ERROR,
                "the server closed the connection without a response",
                False,
            )
        return Outcome.PROTOCOL_ERROR, f"not a valid HTTP response ({exc})", False
    if isinstance(exc, httpx.RequestError):
        return Outcome.CONNECT_FAILED, f"{type(exc).__name__}: {exc}", False
    raise exc


def _result(url: str, reply: Reply, attempts: int) -> CheckResult:
    now = datetime.now(UTC)
    expires = _expiry(reply.peer_certificate)
    warnings = [
        w
        for w in (
            status_warning(reply.status, reply.headers.get("location")),
            expiry_warning(expires, now),
        )
        if w
    ]
    return CheckResult(
        url=url,
        outcome=Outcome.REDIRECT if 300 <= reply.status < 400 else Outcome.OK,
        reason=f"reachable (HTTP {reply.status})",
        checked_at=now,
        http_status=reply.status,
        latency_ms=reply.seconds * 1000,
        cert_expires_at=expires,
        address=reply.address,
        warnings=tuple(warnings),
        attempts=attempts,
    )


def _expiry(certificate: dict[str, Any] | None) -> datetime | None:
    not_after = (certificate or {}).get("notAfter")
    if not not_after:
        return None
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(str(not_after)), UTC)


async def _check(
    client: BoundedClient, url: str, options: CheckOptions, slots: asyncio.Semaphore
) -> CheckResult:
    if urlsplit(url).scheme.lower() != "https":
        # Never plain HTTP: validation rejects it, and we do not contact it either.
        return CheckResult(url, Outcome.INVALID_URL, "not an https:// URL", datetime.now(UTC))
    attempts = 0
    while True:
        attempts += 1
        try:
            async with slots:
                reply = await client.send("HEAD", url, peer_certificate=True)
        except Exception as exc:
            outcome, reason, retry = classify_failure(exc, url, options.timeout)
            if retry and attempts < 2:
                await asyncio.sleep(options.retry_delay)
                continue
            return CheckResult(url, outcome, reason, datetime.now(UTC), attempts=attempts)
        return _result(url, reply, attempts)


async def check_all(
    urls: Iterable[str],
    settings: NetworkSettings,
    *,
    options: CheckOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
    resolver: AsyncResolver | None = None,
    network_backend: httpcore.AsyncNetworkBackend | None = None,
) -> list[CheckResult]:
    """Every distinct URL checked once, input order kept; `progress` sees each result as
    it comes in. `resolver` and `network_backend` are the guard's test hooks."""
    distinct = list(dict.fromkeys(urls))
    concurrency = max(1, options.concurrency)
    slots = asyncio.Semaphore(concurrency)
    async with BoundedClient(
        settings,
        connections=concurrency,
        timeout=options.timeout,
        read_limit=0,  # a HEAD response has no body
        resolver=resolver,
        network_backend=network_backend,
    ) as client:
        tasks = [asyncio.ensure_future(_check(client, url, options, slots)) for url in distinct]
        try:
            for finished in asyncio.as_completed(tasks):
                result = await finished
                if progress:
                    progress(result)
        finally:
            for task in tasks:  # a bug in one check stops the others
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    return [task.result() for task in tasks]


def check_urls(
    urls: Iterable[str],
    settings: NetworkSettings,
    *,
    options: CheckOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
    resolver: AsyncResolver | None = None,
    network_backend: httpcore.AsyncNetworkBackend | None = None,
) -> list[CheckResult]:
    """`check_all` on an event loop of its own."""
    return asyncio.run(
        check_all(
            urls,
            settings,
            options=options,
            progress=progress,
            resolver=resolver,
            network_backend=network_backend,
        )
    )


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

    def arrived(result: CheckResult) -> None:
        if progress:
            progress(result.with_uses(uses.get(result.url, ())))

    results = check_urls(uses, settings, options=options, progress=arrived)
    return CheckReport(
        tuple(r.with_uses(uses.get(r.url, ())) for r in results),
        scope=scope,
        unchanged=unchanged,
        notes=tuple(notes),
        duration_s=time.perf_counter() - started,
    )
