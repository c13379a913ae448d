"""The dispatch poster: guarded, pinned, TLS-verified keep-alive POSTs (httptools). Real HTTPS
servers on 127.0.0.1 with trustme certificates; every connect recorded."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import trustme

from reconciler.core.netpolicy import IPAddress, NetPolicy
from reconciler.http import errors
from reconciler.http import poster as poster_module
from reconciler.http.connect import PolicyRefusal, build_ssl_context
from reconciler.http.poster import GuardedPoster, PostResponse
from tests.https_servers import (
    HTTPSServer,
    LoopThreadServer,
    Route,
    _read_request,
    server_context,
)

ALLOW_LOOPBACK = NetPolicy.parse(["127.0.0.1/32"])


class Connects:
    """asyncio.open_connection, recorded: where every socket went and for which name."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, str | None]] = []

    async def __call__(self, host: str, port: int, **kwargs: Any) -> Any:
        self.calls.append((host, port, kwargs.get("server_hostname")))
        return await asyncio.open_connection(host, port, **kwargs)


def resolver(mapping: dict[str, str]) -> Callable[[str, int], Awaitable[list[IPAddress]]]:
    async def resolve(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address(mapping[host])]

    return resolve


def post_all(
    poster: GuardedPoster, bodies: list[bytes], headers: list[tuple[str, str]] | None = None
) -> list[PostResponse]:
    async def go() -> list[PostResponse]:
        async with poster:
            out = []
            for body in bodies:
                out.append(await poster.post(headers or [("X-Test", "1")], body))
            return out

    return asyncio.run(go())


def make(url: str, ca_pem: Path, **kwargs: Any) -> GuardedPoster:
    return GuardedPoster(
        kwargs.pop("policy", ALLOW_LOOPBACK),
        url,
        ssl_context=build_ssl_context(ca_pem),
        timeout=kwargs.pop("timeout", 5.0),
        max_connections=kwargs.pop("max_connections", 2),
        **kwargs,
    )


def test_posts_reuse_one_pinned_connection_verified_against_the_url_host(
    ca: trustme.CA, ca_pem: Path
) -> None:
    connects = Connects()
    with HTTPSServer(ca.issue_cert("pinned.test")) as server:
        poster = make(
            server.url("/in?x=1", host="pinned.test"),
            ca_pem,
            resolver=resolver({"pinned.test": "127.0.0.1"}),
            connector=connects,
        )
        responses = post_all(poster, [b"[1]", b"[2]", b"[3]"])
        requests = server.requests
        assert server.connections == 1  # kept alive
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[0].body == b"ok" and not responses[0].truncated
    # the socket went to the screened address; TLS checked the name of the URL
    assert connects.calls == [("127.0.0.1", server.port, "pinned.test")]
    assert [(r.method, r.path, r.body) for r in requests] == [
        ("POST", "/in?x=1", b"[1]"),
        ("POST", "/in?x=1", b"[2]"),
        ("POST", "/in?x=1", b"[3]"),
    ]
    assert requests[0].headers["host"] == f"pinned.test:{server.port}"
    assert requests[0].headers["content-length"] == "3"
    assert requests[0].headers["x-test"] == "1"


def test_a_certificate_for_another_name_fails_before_anything_is_sent(
    ca: trustme.CA, ca_pem: Path
) -> None:
    with HTTPSServer(ca.issue_cert("other.test")) as server:
        poster = make(
            server.url("/", host="pinned.test"),
            ca_pem,
            resolver=resolver({"pinned.test": "127.0.0.1"}),
        )
        with pytest.raises(errors.ConnectError) as info:
            post_all(poster, [b"[]"])
        assert server.requests == []
    assert isinstance(info.value.__cause__, ssl.SSLCertVerificationError)


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "10.0.0.1", "::1"])
def test_refused_addresses_are_never_connected_to(
    ca: trustme.CA, ca_pem: Path, address: str
) -> None:
    connects = Connects()
    poster = make(
        "https://api.example.test/resubmit",
        ca_pem,
        policy=NetPolicy(),
        resolver=resolver({"api.example.test": address}),
        connector=connects,
    )
    with pytest.raises(PolicyRefusal) as info:
        post_all(poster, [b"[]"])
    assert "refused by network policy" in info.value.reason
    assert connects.calls == []


def test_only_https_urls() -> None:
    with pytest.raises(errors.UnsupportedProtocol):
        GuardedPoster(
            ALLOW_LOOPBACK,
            "http://127.0.0.1/x",
            ssl_context=ssl.create_default_context(),
            timeout=1,
            max_connections=1,
        )


def test_a_dns_failure_is_a_connect_error_that_dispatch_retries(ca_pem: Path) -> None:
    from reconciler.core.dispatch import FlowSend
    from reconciler.core.retry import Verdict
    from reconciler.http.connect import DnsFailure
    from reconciler.http.dispatch import post_once

    async def unresolvable(host: str, port: int) -> list[IPAddress]:
        raise DnsFailure(host, "Name or service not known")

    connects = Connects()
    poster = make("https://gone.example.test/in", ca_pem, resolver=unresolvable, connector=connects)
    with pytest.raises(errors.ConnectError) as info:
        post_all(poster, [b"[]"])
    assert "cannot resolve gone.example.test" in str(info.value)
    assert isinstance(info.value.__cause__, DnsFailure)

    send = FlowSend("Orders", poster.url, {}, None, 1, 5.0, 3)
    attempt = asyncio.run(post_once(poster, send, "key-1", b"[]"))
    assert attempt.verdict is Verdict.RETRY and not attempt.fatal
    assert attempt.reason.startswith("ConnectError: DNS failure: cannot resolve gone.example.test")
    assert connects.calls == []


def test_a_large_body_is_not_drained_and_its_connection_is_dropped(
    ca: trustme.CA, ca_pem: Path
) -> None:
    big = Route(status=400, body=b"x" * 300_000)
    with HTTPSServer(ca.issue_cert("127.0.0.1"), default=big) as server:
        poster = make(server.url("/"), ca_pem)

        async def go() -> list[PostResponse]:
            async with poster:
                return [await poster.post([], b"[]", max_body=1000) for _ in range(2)]

        first, second = asyncio.run(go())
        assert server.connections == 2  # not reused: the rest of the body was never read
    assert first.status_code == 400 and first.truncated
    assert 1000 <= len(first.body) < 300_000
    assert second.truncated


def test_connection_close_and_expired_idle_connections_are_not_reused(
    ca: trustme.CA, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closing = Route(headers=(("Connection", "close"),))
    with HTTPSServer(ca.issue_cert("127.0.0.1"), default=closing) as server:
        responses = post_all(make(server.url("/"), ca_pem), [b"[1]", b"[2]"])
        assert server.connections == 2
    assert [r.status_code for r in responses] == [200, 200]

    monkeypatch.setattr(poster_module, "KEEPALIVE_SECONDS", 0.0)
    with HTTPSServer(ca.issue_cert("127.0.0.1")) as server:
        post_all(make(server.url("/"), ca_pem), [b"[1]", b"[2]"])
        assert server.connections == 2


def test_slow_response_is_a_read_timeout(ca: trustme.CA, ca_pem: Path) -> None:
    with (
        HTTPSServer(ca.issue_cert("127.0.0.1"), default=Route(delay=2.0)) as server,
        pytest.raises(errors.ReadTimeout),
    ):
        post_all(make(server.url("/"), ca_pem, timeout=0.3), [b"[]"])


def test_a_header_value_with_a_line_break_is_never_sent(ca: trustme.CA, ca_pem: Path) -> None:
    with HTTPSServer(ca.issue_cert("127.0.0.1")) as server:
        with pytest.raises(errors.LocalProtocolError):
            post_all(make(server.url("/"), ca_pem), [b"[]"], [("X-Key", "a\r\nInjected: 1")])
        assert server.requests == []


def test_concurrent_posts_use_at_most_max_connections(ca: trustme.CA, ca_pem: Path) -> None:
    with HTTPSServer(ca.issue_cert("127.0.0.1"), default=Route(delay=0.05)) as server:
        poster = make(server.url("/"), ca_pem, max_connections=3)

        async def go() -> list[PostResponse]:
            async with poster:
                return list(await asyncio.gather(*(poster.post([], b"[]") for _ in range(12))))

        responses = asyncio.run(go())
        assert server.connections == 3
        assert len(server.requests) == 12
    assert {r.status_code for r in responses} == {200}


class RawServer(LoopThreadServer):
    """Answers every request with the exact bytes of `replies` in turn (then closes if
    `close` is set): framings the tests' HTTPSServer never uses."""

    def __init__(self, cert: trustme.LeafCert, replies: list[bytes], *, close: bool) -> None:
        self.context = server_context(cert)
        self.replies = list(replies)
        self.close = close
        self.connections = 0
        super().__init__()

    async def _start(self) -> asyncio.AbstractServer:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            try:
                while self.replies and await _read_request(reader) is not None:
                    writer.write(self.replies.pop(0))
                    await writer.drain()
                    if self.close:
                        break
            finally:
                writer.close()

        return await asyncio.start_server(serve, "127.0.0.1", 0, ssl=self.context)


@pytest.mark.parametrize(
    ("reply", "close", "body", "reused"),
    [
        (  # chunked, then kept alive
            b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n"
            b"Retry-After: 7\r\n\r\n4\r\nslow\r\n5\r\n down\r\n0\r\n\r\n",
            False,
            b"slow down",
            True,
        ),
        (  # an interim 100 before the final answer
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n"
            b"Retry-After: 7\r\n\r\nok",
            False,
            b"ok",
            True,
        ),
        (  # HTTP/1.0, no length: the body ends with the connection
            b"HTTP/1.0 500 Internal Server Error\r\nRetry-After: 7\r\n\r\nbroken",
            True,
            b"broken",
            False,
        ),
    ],
)
def test_response_framings(
    ca: trustme.CA, ca_pem: Path, reply: bytes, close: bool, body: bytes, reused: bool
) -> None:
    with RawServer(ca.issue_cert("127.0.0.1"), [reply, reply], close=close) as server:
        poster = make(f"https://127.0.0.1:{server.port}/in", ca_pem, max_connections=1)
        first, second = post_all(poster, [b"[1]", b"[2]"])
        assert server.connections == (1 if reused else 2)
    for response in (first, second):
        assert response.body == body and not response.truncated
        assert response.headers["retry-after"] == "7"
    assert first.status_code in (202, 500, 503) and first.reason_phrase


def test_a_response_cut_short_is_a_protocol_error(ca: trustme.CA, ca_pem: Path) -> None:
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part"
    with RawServer(ca.issue_cert("127.0.0.1"), [cut], close=True) as server:
        poster = make(f"https://127.0.0.1:{server.port}/", ca_pem)
        with pytest.raises(errors.RemoteProtocolError):
            post_all(poster, [b"[]"])


def test_garbage_instead_of_a_response_is_a_protocol_error(ca: trustme.CA, ca_pem: Path) -> None:
    garbage = [b"SSH-2.0-OpenSSH\r\n\r\n"]
    with (
        RawServer(ca.issue_cert("127.0.0.1"), garbage, close=True) as srv,
        pytest.raises(errors.RemoteProtocolError),
    ):
        post_all(make(f"https://127.0.0.1:{srv.port}/", ca_pem), [b"[]"])
