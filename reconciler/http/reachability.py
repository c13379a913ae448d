"""Is an endpoint reachable? (PRODUCT.md section 9)

For each distinct URL, concurrently with a bound: the guarded client (DNS, network policy,
pinned address, verified TLS) sends one `HEAD` -- never a body, never a redirect followed.
Reachable = a TLS handshake and any HTTP response. A connect failure is retried once;
TLS and policy verdicts are final. Each attempt has a deadline; results are data."""

from __future__ import annotations

import asyncio
import errno
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
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
from reconciler.core.netpolicy import NetPolicy
from reconciler.http.guard import (
    AsyncResolver,
    NetworkSettings,
    PolicyRefused,
    ResolutionFailed,
    build_async_client,
)

DEFAULT_CONCURRENCY = 20
DEFAULT_TIMEOUT = 10.0
RETRY_DELAY = 0.25

Progress = Callable[[CheckResult], None]


@dataclass(frozen=True)
class CheckOptions:
    concurrency: int = DEFAULT_CONCURRENCY
    timeout: float = DEFAULT_TIMEOUT  # per attempt, DNS to response headers
    retry_delay: float = RETRY_DELAY


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
    if isinstance(exc, PolicyRefused):
        return Outcome.REFUSED_BY_POLICY, exc.reason, False
    if isinstance(exc, ResolutionFailed):
        return Outcome.DNS_FAILURE, exc.reason, False
    # Timeouts first: a cancelled handshake leaves incidental SSL errors in the chain.
    if isinstance(exc, httpx.ConnectTimeout | httpcore.ConnectTimeout):
        return Outcome.TIMEOUT, f"timeout: no connection within {timeout:g}s", True
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
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
    if isinstance(exc, httpx.ConnectError):
        return Outcome.CONNECT_FAILED, f"connection failed ({exc or type(exc).__name__})", True
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return Outcome.INVALID_URL, f"invalid URL ({exc})", False
    if isinstance(exc, httpx.RemoteProtocolError):
        return Outcome.PROTOCOL_ERROR, f"not a valid HTTP response ({exc})", False
    if isinstance(exc, httpx.HTTPError):
        return Outcome.CONNECT_FAILED, f"{type(exc).__name__}: {exc}", False
    raise exc


def _peer(response: httpx.Response) -> tuple[datetime | None, str | None]:
    """Certificate expiry and connected address from the live connection."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None, None
    expires: datetime | None = None
    ssl_object = stream.get_extra_info("ssl_object")
    cert = ssl_object.getpeercert() if ssl_object is not None else None
    if cert and cert.get("notAfter"):
        expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), UTC)
    addr = stream.get_extra_info("server_addr")
    address = str(addr[0]) if isinstance(addr, tuple) and addr else None
    return expires, address


async def _attempt(client: httpx.AsyncClient, url: str, timeout: float) -> CheckResult:
    started = time.perf_counter()
    # httpx bounds each phase by `timeout`; this bounds the whole attempt (DNS, connect,
    # TLS, response) a little later, so the phase that hung is the one reported.
    async with asyncio.timeout(timeout * 1.5), client.stream("HEAD", url) as response:
        latency = (time.perf_counter() - started) * 1000
        expires, address = _peer(response)
    now = datetime.now(UTC)
    status = response.status_code
    warnings = [
        w
        for w in (
            status_warning(status, response.headers.get("location")),
            expiry_warning(expires, now),
        )
        if w
    ]
    redirect = 300 <= status < 400
    return CheckResult(
        url=url,
        outcome=Outcome.REDIRECT if redirect else Outcome.OK,
        reason=f"reachable (HTTP {status})",
        checked_at=now,
        http_status=status,
        latency_ms=latency,
        cert_expires_at=expires,
        address=address,
        warnings=tuple(warnings),
    )


async def check_url(client: httpx.AsyncClient, url: str, options: CheckOptions) -> CheckResult:
    if urlsplit(url).scheme.lower() != "https":
        # Never plain HTTP: validation rejects it, and we do not contact it either.
        return CheckResult(url, Outcome.INVALID_URL, "not an https:// URL", datetime.now(UTC))
    attempts = 0
    while True:
        attempts += 1
        try:
            result = await _attempt(client, url, options.timeout)
            return replace(result, attempts=attempts)
        except Exception as exc:
            outcome, reason, retry = classify_failure(exc, url, options.timeout)
            if retry and attempts < 2:
                await asyncio.sleep(options.retry_delay)
                continue
            return CheckResult(url, outcome, reason, datetime.now(UTC), attempts=attempts)


async def check_urls_async(
    urls: Sequence[str],
    policy: NetPolicy,
    *,
    ssl_context: ssl.SSLContext,
    options: CheckOptions = CheckOptions(),
    progress: Progress | None = None,
    resolver: AsyncResolver | None = None,
    network_backend: httpcore.AsyncNetworkBackend | None = None,
) -> list[CheckResult]:
    """One HEAD per distinct URL, at most `options.concurrency` at a time, input order kept."""
    distinct = list(dict.fromkeys(urls))
    limit = max(1, options.concurrency)
    gate = asyncio.Semaphore(limit)
    client = build_async_client(
        policy,
        ssl_context=ssl_context,
        timeout=httpx.Timeout(options.timeout),
        limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
        resolver=resolver,
        network_backend=network_backend,
    )

    async def one(url: str) -> CheckResult:
        async with gate:
            result = await check_url(client, url, options)
        if progress:
            progress(result)
        return result

    async with client:
        return list(await asyncio.gather(*(one(url) for url in distinct)))


def check_urls(urls: Iterable[str], policy: NetPolicy, **kwargs: Any) -> list[CheckResult]:
    """Blocking entry point for the CLI."""
    return asyncio.run(check_urls_async(list(urls), policy, **kwargs))


def check_endpoints(
    uses: Mapping[str, Sequence[EndpointUse]],
    settings: NetworkSettings,
    *,
    options: CheckOptions = CheckOptions(),
    progress: Progress | None = None,
    scope: str = "all",
    unchanged: int = 0,
    notes: Sequence[str] = (),
) -> CheckReport:
    """Check every URL in `uses` once and attach the flows using it (check and apply)."""
    results = check_urls(
        list(uses),
        settings.policy,
        ssl_context=settings.ssl_context(),
        options=options,
        progress=progress,
    )
    return CheckReport(
        tuple(r.with_uses(uses[r.url]) for r in results),
        scope=scope,
        unchanged=unchanged,
        notes=tuple(notes),
    )
