"""Reachability against real HTTPS servers on 127.0.0.1 (trustme certificates)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme

from reconciler.core.endpoints import CheckResult, Outcome
from reconciler.core.netpolicy import IPAddress, NetPolicy
from reconciler.http.reachability import CheckOptions, check_urls
from reconciler.http.settings import NetworkSettings
from tests.https_servers import HTTPSServer, RawServer, RecordingBackend, Route

LOCAL = NetPolicy.parse(["127.0.0.1/32"])


@pytest.fixture(scope="module")
def server(ca: trustme.CA) -> Iterator[HTTPSServer]:
    routes = {
        "/ok": Route(200),
        "/auth": Route(401),
        "/post-only": Route(405, (("Allow", "POST"),)),
        "/moved": Route(301, (("Location", "https://127.0.0.1:1/elsewhere"),)),
    }
    with HTTPSServer(ca.issue_cert("127.0.0.1"), routes=routes) as srv:
        yield srv


def check(
    urls: list[str], ca_pem: Path, policy: NetPolicy = LOCAL, **options: float
) -> list[CheckResult]:
    return check_urls(
        urls,
        NetworkSettings(policy, ca_pem),
        options=CheckOptions(**options),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(("path", "status"), [("/ok", 200), ("/auth", 401), ("/post-only", 405)])
def test_any_response_to_head_is_reachable(
    server: HTTPSServer, ca_pem: Path, path: str, status: int
) -> None:
    [result] = check([server.url(path)], ca_pem)
    assert result.reachable and result.outcome is Outcome.OK
    assert result.http_status == status
    assert result.reason == f"reachable (HTTP {status})"
    assert result.warnings == ()
    assert result.latency_ms is not None and 0 < result.latency_ms < 5000
    assert result.address == "127.0.0.1"
    assert result.cert_expires_at is not None and result.cert_expires_at > datetime.now(UTC)


def test_redirect_is_reachable_with_a_warning_and_not_followed(
    server: HTTPSServer, ca_pem: Path
) -> None:
    before = len(server.requests)
    [result] = check([server.url("/moved")], ca_pem)
    assert result.reachable and result.outcome is Outcome.REDIRECT
    assert result.http_status == 301
    assert result.warnings == (
        "redirects to https://127.0.0.1:1/elsewhere (HTTP 301); dispatch does not follow redirects",
    )
    assert [r.path for r in server.requests[before:]] == ["/moved"]


def test_only_head_without_a_body_is_ever_sent(server: HTTPSServer, ca_pem: Path) -> None:
    check([server.url(p) for p in ("/ok", "/auth", "/post-only", "/moved", "/x")], ca_pem)
    assert server.requests, "the server saw requests"
    assert {r.method for r in server.requests} == {"HEAD"}
    assert all(r.body == b"" for r in server.requests)
    assert all("content-length" not in r.headers for r in server.requests)
    assert all("transfer-encoding" not in r.headers for r in server.requests)
    assert all(r.headers["user-agent"].startswith("flow-reconciler/") for r in server.requests)


def test_duplicate_urls_are_checked_once(server: HTTPSServer, ca_pem: Path) -> None:
    before = len(server.requests)
    results = check([server.url("/ok?dedup")] * 10, ca_pem)
    assert len(results) == 1
    assert len(server.requests) - before == 1


def test_wrong_ca(ca_pem: Path) -> None:
    other = trustme.CA()
    with HTTPSServer(other.issue_cert("127.0.0.1")) as srv:
        [result] = check([srv.url("/")], ca_pem)
    assert not result.reachable and result.outcome is Outcome.TLS_UNKNOWN_CA
    assert result.reason.startswith("TLS: unknown CA")
    assert result.attempts == 1  # a TLS verdict is not retried
    assert srv.requests == []


def test_hostname_mismatch(ca: trustme.CA, ca_pem: Path) -> None:
    with HTTPSServer(ca.issue_cert("somewhere-else.test")) as srv:
        [result] = check([srv.url("/")], ca_pem)
    assert result.outcome is Outcome.TLS_HOSTNAME_MISMATCH
    assert result.reason == "TLS: hostname mismatch (the certificate is not valid for 127.0.0.1)"
    assert srv.requests == []


def test_expired_certificate(ca: trustme.CA, ca_pem: Path) -> None:
    now = datetime.now(UTC)
    cert = ca.issue_cert(
        "127.0.0.1", not_before=now - timedelta(days=90), not_after=now - timedelta(days=1)
    )
    with HTTPSServer(cert) as srv:
        [result] = check([srv.url("/")], ca_pem)
    assert result.outcome is Outcome.TLS_EXPIRED
    assert result.reason == "TLS: certificate expired"
    assert srv.requests == []


def test_certificate_expiring_in_five_days_warns(ca: trustme.CA, ca_pem: Path) -> None:
    now = datetime.now(UTC)
    cert = ca.issue_cert(
        "127.0.0.1", not_before=now - timedelta(days=1), not_after=now + timedelta(days=5)
    )
    with HTTPSServer(cert) as srv:
        [result] = check([srv.url("/")], ca_pem)
    assert result.reachable and result.outcome is Outcome.OK
    assert result.cert_expires_at is not None
    assert abs(result.cert_expires_at - (now + timedelta(days=5))) < timedelta(seconds=2)
    [warning] = result.warnings
    assert warning.startswith("certificate expires in 5.0 days") or warning.startswith(
        "certificate expires in 4.9 days"
    )


def test_closed_port_is_retried_once(ca_pem: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connection refused
        [result] = check([f"https://127.0.0.1:{port}/"], ca_pem)
    assert not result.reachable and result.outcome is Outcome.CONNECTION_REFUSED
    assert result.reason == "connection refused"
    assert result.attempts == 2


def test_server_that_never_answers_times_out_in_bounded_time(ca_pem: Path) -> None:
    with HTTPSServer(None, hang=True) as srv:
        started = time.monotonic()
        [result] = check([srv.url("/")], ca_pem, timeout=0.5, retry_delay=0.05)
        elapsed = time.monotonic() - started
    assert not result.reachable and result.outcome is Outcome.TIMEOUT
    assert result.reason.startswith("timeout")
    assert elapsed < 3.0
    assert 1 <= srv.connections <= 2  # one retry at most


def test_slow_response_is_a_timeout(ca: trustme.CA, ca_pem: Path) -> None:
    with HTTPSServer(ca.issue_cert("127.0.0.1"), default=Route(delay=5)) as srv:
        started = time.monotonic()
        [result] = check([srv.url("/")], ca_pem, timeout=0.5)
        assert time.monotonic() - started < 2.5
    assert result.outcome is Outcome.TIMEOUT
    assert result.reason == "timeout: no response within 0.5s"


def test_unresolvable_host(ca_pem: Path) -> None:
    [result] = check(["https://nothing-here.invalid/resubmit"], ca_pem)
    assert result.outcome is Outcome.DNS_FAILURE
    assert result.reason == "DNS failure: cannot resolve nothing-here.invalid"


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "::ffff:127.0.0.1", "169.254.169.254", "10.0.0.1"]
)
def test_ssrf_targets_refused_and_never_connected(
    server: HTTPSServer, ca_pem: Path, host: str
) -> None:
    recorder = RecordingBackend()
    connections = server.connections
    [result] = check_urls(
        [server.url("/ok", host=host)],
        NetworkSettings(NetPolicy(), ca_pem),
        network_backend=recorder,
    )
    assert result.outcome is Outcome.REFUSED_BY_POLICY and not result.reachable
    assert result.reason.startswith("refused by network policy: ")
    assert recorder.connects == []
    assert server.connections == connections
    # The same backend does connect when the policy allows it: the probe is real.
    [allowed] = check_urls(
        [server.url("/ok")], NetworkSettings(LOCAL, ca_pem), network_backend=recorder
    )
    assert allowed.reachable and recorder.connects == [("127.0.0.1", server.port)]


def test_a_dns_lookup_that_hangs_is_given_up_after_the_timeout(ca_pem: Path) -> None:
    async def hanging_resolver(host: str, port: int) -> list[IPAddress]:
        await asyncio.sleep(10)  # a resolver that never answers
        return []

    started = time.monotonic()
    [result] = check_urls(
        ["https://slow-dns.example/resubmit"],
        NetworkSettings(LOCAL, ca_pem),
        options=CheckOptions(timeout=0.3),
        resolver=hanging_resolver,
    )
    elapsed = time.monotonic() - started
    assert result.outcome is Outcome.DNS_FAILURE
    assert result.reason == "DNS failure: cannot resolve slow-dns.example"
    assert elapsed < 2.0  # one attempt of 0.3 s: a DNS failure is not retried


def test_a_bug_in_a_check_is_raised_not_swallowed_or_hung(ca_pem: Path) -> None:
    async def broken_resolver(host: str, port: int) -> list[IPAddress]:
        raise RuntimeError("resolver bug")

    started = time.monotonic()
    with pytest.raises(RuntimeError, match="resolver bug"):
        check_urls(
            [f"https://host-{i}.example/" for i in range(10)],
            NetworkSettings(LOCAL, ca_pem),
            options=CheckOptions(concurrency=3, timeout=1),
            resolver=broken_resolver,
        )
    assert time.monotonic() - started < 5


def test_credentials_in_a_url_are_never_sent(server: HTTPSServer, ca_pem: Path) -> None:
    before = len(server.requests)
    [result] = check([server.url("/ok").replace("https://", "https://user:pw@")], ca_pem)
    assert result.outcome is Outcome.INVALID_URL
    assert "credentials" in result.reason
    assert len(server.requests) == before


def test_http_url_is_never_contacted(server: HTTPSServer, ca_pem: Path) -> None:
    [result] = check([f"http://127.0.0.1:{server.port}/ok"], ca_pem)
    assert result.outcome is Outcome.INVALID_URL


def test_concurrency_is_bounded(ca: trustme.CA, ca_pem: Path) -> None:
    with HTTPSServer(ca.issue_cert("127.0.0.1"), default=Route(delay=0.2)) as srv:
        started = time.monotonic()
        results = check([srv.url(f"/{i}") for i in range(8)], ca_pem, concurrency=4)
        elapsed = time.monotonic() - started
    assert all(r.reachable for r in results)
    assert [r.url for r in results] == [srv.url(f"/{i}") for i in range(8)]
    assert 0.4 <= elapsed < 1.5  # two waves of four, not one wave of eight


def test_idn_hosts_and_odd_paths_are_sent_as_an_http_client_sends_them(
    ca: trustme.CA, ca_pem: Path
) -> None:
    looked_up: list[str] = []

    async def resolve(host: str, port: int) -> list[IPAddress]:
        looked_up.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    with HTTPSServer(ca.issue_cert("xn--bcher-kva.example")) as srv:
        [result] = check_urls(
            [f"https://Bücher.example:{srv.port}/a b/é?q=1 2#frag"],
            NetworkSettings(LOCAL, ca_pem),
            resolver=resolve,
        )
        [request] = srv.requests
    assert result.reachable, result.reason
    assert looked_up == ["xn--bcher-kva.example"]
    assert request.path == "/a%20b/%C3%A9?q=1%202"
    assert request.headers["host"] == f"xn--bcher-kva.example:{srv.port}"


HEAD_ONLY = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"  # a HEAD answer: no body follows


@pytest.mark.parametrize(
    ("reply", "close", "outcome", "status", "reason"),
    [
        (
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
            True,
            Outcome.OK,
            204,
            "HTTP 204",
        ),
        (HEAD_ONLY, False, Outcome.OK, 200, "HTTP 200"),  # never waits for the 5 bytes
        (HEAD_ONLY + b"HTTP/1.1 999", True, Outcome.OK, 200, "HTTP 200"),  # what follows: unread
        (b"HTTP/1.0 404 Not Found\r\n\r\n", True, Outcome.OK, 404, "HTTP 404"),
        (
            b"HTTP/1.1 308 Permanent Redirect\r\nLocation: /x\r\n\r\n",
            True,
            Outcome.REDIRECT,
            308,
            "308",
        ),
        (
            b"SSH-2.0-OpenSSH\r\n\r\n",
            True,
            Outcome.PROTOCOL_ERROR,
            None,
            "not a valid HTTP response",
        ),
        (b"", True, Outcome.PROTOCOL_ERROR, None, "closed the connection without a response"),
        (
            b"HTTP/1.1 200 OK\r\nX: " + b"a" * 200_000,
            False,
            Outcome.PROTOCOL_ERROR,
            None,
            "too long",  # h11's words for a head over httpcore's 100 KiB
        ),
    ],
)
def test_response_heads_as_servers_send_them(
    ca: trustme.CA,
    ca_pem: Path,
    reply: bytes,
    close: bool,
    outcome: Outcome,
    status: int | None,
    reason: str,
) -> None:
    with RawServer(ca.issue_cert("127.0.0.1"), [reply], close=close) as server:
        started = time.monotonic()
        [result] = check([f"https://127.0.0.1:{server.port}/x"], ca_pem, timeout=3)
        assert time.monotonic() - started < 2.5  # an answer, not a timeout
    assert (result.outcome, result.http_status) == (outcome, status), result.reason
    assert reason in result.reason or any(reason in w for w in result.warnings), result
    if outcome is Outcome.REDIRECT:
        assert result.warnings == (
            "redirects to /x (HTTP 308); dispatch does not follow redirects",
        )
