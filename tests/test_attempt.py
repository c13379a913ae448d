"""One delivery attempt (`BatchPoster.attempt`): guarded, pinned, TLS-verified keep-alive
POSTs, and every outcome as data. Real HTTPS servers on 127.0.0.1 (trustme); every
connect recorded."""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path

import pytest
import trustme

from reconciler.core.delivery import FlowSend
from reconciler.core.netpolicy import IPAddress, NetPolicy
from reconciler.core.retry import Verdict
from reconciler.http.attempt import Attempt, BatchPoster
from reconciler.http.guard import AsyncResolver, ResolutionFailed
from reconciler.http.settings import NetworkSettings
from tests.https_servers import HTTPSServer, RawServer, RecordingBackend, Route

ALLOW_LOOPBACK = NetPolicy.parse(["127.0.0.1/32"])


def resolver(mapping: dict[str, str]) -> AsyncResolver:
    async def resolve(host: str, port: int) -> list[IPAddress]:
        if host not in mapping:
            raise ResolutionFailed(host, "Name or service not known")
        return [ipaddress.ip_address(mapping[host])]

    return resolve


def post(
    url: str,
    ca_pem: Path,
    bodies: list[bytes],
    *,
    policy: NetPolicy = ALLOW_LOOPBACK,
    headers: dict[str, str] | None = None,
    concurrency: int = 2,
    timeout: float = 5.0,
    at_once: bool = False,
    dns: dict[str, str] | None = None,
    backend: RecordingBackend | None = None,
) -> list[Attempt]:
    send = FlowSend("Orders", url, headers or {"X-Test": "1"}, None, concurrency, timeout, 3)

    async def go() -> list[Attempt]:
        poster = BatchPoster(
            NetworkSettings(policy, ca_pem),
            send,
            resolver=resolver(dns) if dns is not None else None,
            network_backend=backend,
        )
        async with poster:
            if at_once:
                return list(await asyncio.gather(*(poster.attempt("k", b) for b in bodies)))
            return [await poster.attempt(f"key-{i}", b) for i, b in enumerate(bodies)]

    return asyncio.run(go())


def test_posts_reuse_one_pinned_connection_verified_against_the_url_host(
    ca: trustme.CA, ca_pem: Path
) -> None:
    backend = RecordingBackend()
    with HTTPSServer(ca.issue_cert("pinned.test")) as server:
        results = post(
            server.url("/in?x=1", host="pinned.test"),
            ca_pem,
            [b"[1]", b"[2]", b"[3]"],
            dns={"pinned.test": "127.0.0.1"},
            backend=backend,
        )
        requests = server.requests
        assert server.connections == 1  # kept alive
    assert [(r.verdict, r.http_status) for r in results] == [(Verdict.DELIVERED, 200)] * 3
    # the socket went to the screened address; TLS checked the URL's host name
    assert backend.connects == [("127.0.0.1", server.port)]
    assert [(r.method, r.path, r.body) for r in requests] == [
        ("POST", "/in?x=1", b"[1]"),
        ("POST", "/in?x=1", b"[2]"),
        ("POST", "/in?x=1", b"[3]"),
    ]
    first = requests[0].headers
    assert first["host"] == f"pinned.test:{server.port}"
    assert first["content-length"] == "3" and first["x-test"] == "1"
    assert [r.headers["idempotency-key"] for r in requests] == ["key-0", "key-1", "key-2"]
    assert first["user-agent"].startswith("flow-reconciler/")


def test_a_certificate_for_another_name_is_fatal_before_anything_is_sent(
    ca: trustme.CA, ca_pem: Path
) -> None:
    with HTTPSServer(ca.issue_cert("other.test")) as server:
        [result] = post(
            server.url("/", host="pinned.test"), ca_pem, [b"[]"], dns={"pinned.test": "127.0.0.1"}
        )
        assert server.requests == []
    assert (result.verdict, result.fatal) == (Verdict.FAIL, True)
    assert result.reason.startswith("TLS verification failed: ")


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "10.0.0.1", "::1"])
def test_refused_addresses_are_fatal_and_never_connected_to(ca_pem: Path, address: str) -> None:
    backend = RecordingBackend()
    [result] = post(
        "https://api.example.test/resubmit",
        ca_pem,
        [b"[]"],
        policy=NetPolicy(),
        dns={"api.example.test": address},
        backend=backend,
    )
    assert (result.verdict, result.fatal) == (Verdict.FAIL, True)
    assert result.reason.startswith("refused by the network policy: refused by network policy: ")
    assert backend.connects == []


def test_a_plain_http_url_is_fatal_and_never_contacted(ca_pem: Path) -> None:
    with HTTPSServer(None) as plain:
        [result] = post(f"http://127.0.0.1:{plain.port}/x", ca_pem, [b"[]"])
        assert plain.connections == 0
    assert (result.verdict, result.fatal) == (Verdict.FAIL, True)
    assert "only https:// URLs" in result.reason


def test_a_dns_failure_is_retried(ca_pem: Path) -> None:
    backend = RecordingBackend()
    [result] = post("https://gone.example.test/in", ca_pem, [b"[]"], dns={}, backend=backend)
    assert (result.verdict, result.fatal) == (Verdict.RETRY, False)
    assert result.reason.startswith("ResolutionFailed: DNS failure: cannot resolve gone.example")
    assert backend.connects == []


def test_a_large_error_body_is_quoted_short_and_its_connection_dropped(
    ca: trustme.CA, ca_pem: Path
) -> None:
    big = Route(status=400, body=b"x" * 300_000)
    with HTTPSServer(ca.issue_cert("127.0.0.1"), default=big) as server:
        first, second = post(server.url("/"), ca_pem, [b"[]", b"[]"], concurrency=1)
        assert server.connections == 2  # not reused: the rest of the body was never read
    assert (first.verdict, first.http_status) == (Verdict.FAIL, 400)
    assert first.reason == "HTTP 400 Bad Request: " + "x" * 300
    assert second.http_status == 400


def test_connection_close_is_honoured(ca: trustme.CA, ca_pem: Path) -> None:
    closing = Route(headers=(("Connection", "close"),))
    with HTTPSServer(ca.issue_cert("127.0.0.1"), default=closing) as server:
        results = post(server.url("/"), ca_pem, [b"[1]", b"[2]"], concurrency=1)
        assert server.connections == 2
    assert {r.verdict for r in results} == {Verdict.DELIVERED}


def test_a_slow_answer_is_a_retried_timeout(ca: trustme.CA, ca_pem: Path) -> None:
    with HTTPSServer(ca.issue_cert("127.0.0.1"), default=Route(delay=2.0)) as server:
        [result] = post(server.url("/"), ca_pem, [b"[]"], timeout=0.3)
    assert (result.verdict, result.reason) == (Verdict.RETRY, "timeout (ReadTimeout)")


@pytest.mark.parametrize("value", ["a\r\nInjected: 1", "a\nb", "nul\x00", "ünïcødé ✓"])
def test_a_header_value_that_cannot_be_sent_as_it_is_is_fatal_and_nothing_is_sent(
    ca: trustme.CA, ca_pem: Path, value: str
) -> None:
    with HTTPSServer(ca.issue_cert("127.0.0.1")) as server:
        [result] = post(server.url("/"), ca_pem, [b"[]"], headers={"X-Key": value})
        assert server.connections == 0
    assert (result.verdict, result.fatal) == (Verdict.FAIL, True)
    assert result.reason.startswith("header 'X-Key': ")
    assert value not in result.reason  # it may be a secret


def test_concurrent_attempts_use_at_most_concurrency_connections(
    ca: trustme.CA, ca_pem: Path
) -> None:
    with HTTPSServer(ca.issue_cert("127.0.0.1"), default=Route(delay=0.05)) as server:
        results = post(server.url("/"), ca_pem, [b"[]"] * 12, concurrency=3, at_once=True)
        assert server.connections == 3
        assert len(server.requests) == 12
    assert {r.verdict for r in results} == {Verdict.DELIVERED}


@pytest.mark.parametrize(
    ("reply", "close", "verdict", "reason", "reused"),
    [
        (  # chunked, then kept alive
            b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n"
            b"Retry-After: 7\r\n\r\n4\r\nslow\r\n5\r\n down\r\n0\r\n\r\n",
            False,
            Verdict.RETRY,
            "HTTP 503 Service Unavailable: slow down",
            True,
        ),
        (  # an interim 100 before the final answer
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n"
            b"Retry-After: 7\r\n\r\nok",
            False,
            Verdict.DELIVERED,
            "HTTP 202 Accepted",
            True,
        ),
        (  # HTTP/1.0, no length: the body ends with the connection
            b"HTTP/1.0 500 Internal Server Error\r\nRetry-After: 7\r\n\r\nbroken",
            True,
            Verdict.RETRY,
            "HTTP 500 Internal Server Error: broken",
            False,
        ),
    ],
)
def test_answers_as_servers_frame_them(
    ca: trustme.CA,
    ca_pem: Path,
    reply: bytes,
    close: bool,
    verdict: Verdict,
    reason: str,
    reused: bool,
) -> None:
    with RawServer(ca.issue_cert("127.0.0.1"), [reply, reply], close=close) as server:
        first, second = post(f"https://127.0.0.1:{server.port}/in", ca_pem, [b"[1]", b"[2]"])
        assert server.connections == (1 if reused else 2)
    for result in (first, second):
        assert (result.verdict, result.reason) == (verdict, reason)
        assert result.retry_after == (7.0 if verdict is Verdict.RETRY else None)


@pytest.mark.parametrize(
    "reply",
    [b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part", b"SSH-2.0-OpenSSH\r\n\r\n"],
    ids=["cut-short", "not-http"],
)
def test_a_broken_answer_is_a_retried_protocol_error(
    ca: trustme.CA, ca_pem: Path, reply: bytes
) -> None:
    with RawServer(ca.issue_cert("127.0.0.1"), [reply], close=True) as server:
        [result] = post(f"https://127.0.0.1:{server.port}/", ca_pem, [b"[]"])
    assert (result.verdict, result.fatal) == (Verdict.RETRY, False)
    assert result.reason.startswith("RemoteProtocolError: ")
