"""The guarded client: resolve once, screen, connect only to the screened address, TLS on
the original host name. Real HTTPS servers on 127.0.0.1 with trustme certificates."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from reconciler.core.netpolicy import IPAddress, NetPolicy
from reconciler.errors import ConfigError
from reconciler.http.guard import (
    PolicyRefused,
    ResolutionFailed,
    build_async_client,
    build_client,
)
from reconciler.http.settings import NetworkSettings
from reconciler.http.trust import build_ssl_context
from reconciler.models import Config
from tests.https_servers import HTTPSServer, RecordingBackend, Route


@pytest.fixture
def server(ca: trustme.CA) -> Iterator[HTTPSServer]:
    cert = ca.issue_cert("127.0.0.1", "localhost", "pinned.test")
    with HTTPSServer(cert) as srv:
        yield srv


def _resolver(mapping: dict[str, str]) -> Any:
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[IPAddress]:
        calls.append(host)
        return [ipaddress.ip_address(mapping[host])]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def _head(client: httpx.AsyncClient, url: str) -> httpx.Response:
    async def go() -> httpx.Response:
        async with client:
            return await client.head(url)

    return asyncio.run(go())


def test_connects_to_the_screened_address_and_verifies_the_original_name(
    server: HTTPSServer, ca_pem: Path
) -> None:
    recorder = RecordingBackend()
    resolver = _resolver({"pinned.test": "127.0.0.1"})
    client = build_async_client(
        NetPolicy.parse(["127.0.0.1/32"]),
        ssl_context=build_ssl_context(ca_pem),
        resolver=resolver,
        network_backend=recorder,
        timeout=5,
    )
    response = _head(client, server.url("/x", host="pinned.test"))
    assert response.status_code == 200
    # The socket layer got the checked IP, never the name: no second lookup to rebind.
    assert recorder.connects == [("127.0.0.1", server.port)]
    assert resolver.calls == ["pinned.test"]
    assert [(r.method, r.path, r.headers["host"]) for r in server.requests] == [
        ("HEAD", "/x", f"pinned.test:{server.port}")
    ]


def test_tls_hostname_is_checked_against_the_url_host_not_the_ip(
    ca: trustme.CA, ca_pem: Path
) -> None:
    with HTTPSServer(ca.issue_cert("other.test")) as srv:
        client = build_async_client(
            NetPolicy.parse(["127.0.0.1/32"]),
            ssl_context=build_ssl_context(ca_pem),
            resolver=_resolver({"pinned.test": "127.0.0.1"}),
            timeout=5,
        )
        with pytest.raises(httpx.ConnectError) as info:
            _head(client, srv.url("/", host="pinned.test"))
        assert "Hostname mismatch" in str(info.value) or "doesn't match" in str(info.value)
        assert srv.requests == []


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "::ffff:127.0.0.1", "169.254.169.254", "10.0.0.1"]
)
def test_refused_addresses_are_never_connected_to(
    server: HTTPSServer, ca_pem: Path, host: str
) -> None:
    recorder = RecordingBackend()
    client = build_async_client(
        NetPolicy(), ssl_context=build_ssl_context(ca_pem), network_backend=recorder, timeout=5
    )
    with pytest.raises(PolicyRefused) as info:
        _head(client, server.url("/", host=host))
    assert "refused by network policy" in info.value.reason
    assert recorder.connects == []
    assert server.connections == 0


def test_metadata_address_reason_is_plain(ca_pem: Path) -> None:
    client = build_async_client(NetPolicy(), ssl_context=build_ssl_context(ca_pem), timeout=5)
    with pytest.raises(PolicyRefused) as info:
        _head(client, "https://169.254.169.254/latest/meta-data/")
    assert info.value.reason == (
        "refused by network policy: 169.254.169.254 is link-local (cloud metadata service); "
        "allow it in reconciler.yaml network.allow"
    )


def test_unresolvable_host_is_a_dns_failure(ca_pem: Path) -> None:
    client = build_async_client(NetPolicy(), ssl_context=build_ssl_context(ca_pem), timeout=5)
    with pytest.raises(ResolutionFailed) as info:
        _head(client, "https://no-such-host.invalid/")
    assert info.value.reason == "DNS failure: cannot resolve no-such-host.invalid"


def test_sync_client_is_guarded_too(server: HTTPSServer, ca_pem: Path) -> None:
    with (
        build_client(NetPolicy(), ssl_context=build_ssl_context(ca_pem), timeout=5) as client,
        pytest.raises(PolicyRefused),
    ):
        client.post(server.url("/"), json=[{"id": 1}])
    assert server.connections == 0
    with build_client(
        NetPolicy.parse(["localhost"]), ssl_context=build_ssl_context(ca_pem), timeout=5
    ) as client:
        assert client.post(server.url("/", host="localhost"), json=[1]).status_code == 200
    assert [r.method for r in server.requests] == ["POST"]


def test_environment_proxies_are_ignored(
    server: HTTPSServer, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # would fail if used
    client = build_async_client(
        NetPolicy.parse(["127.0.0.1"]), ssl_context=build_ssl_context(ca_pem), timeout=5
    )
    assert _head(client, server.url("/")).status_code == 200


def test_settings_from_config(tmp_path: Path, ca_pem: Path) -> None:
    config = Config.model_validate(
        {
            "apiVersion": "reconciler/v1",
            "kind": "Config",
            "network": {"allow": ["*.corp.example"], "caBundle": "certs/ca.pem"},
        }
    )
    settings = NetworkSettings.from_config(config, tmp_path)
    assert settings.policy.allows_host("api.corp.example")
    assert settings.ca_bundle == tmp_path / "certs/ca.pem"
    with pytest.raises(ConfigError, match=r"CA bundle .*ca.pem does not exist"):
        settings.ssl_context()
    assert NetworkSettings.from_config(config, tmp_path, ca_bundle=ca_pem).ca_bundle == ca_pem
    bad = config.model_copy(
        update={"network": config.network.model_copy(update={"allow": ["a b"]})}
    )
    with pytest.raises(ConfigError, match=r"network.allow\[0\] 'a b'"):
        NetworkSettings.from_config(bad, tmp_path)


def test_bad_ca_bundle(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    with pytest.raises(ConfigError, match="not a readable PEM"):
        build_ssl_context(junk)


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0x7f.1", "127.1", "017700000001", "[::]", "0", "LOCALHOST", "[::1]"],
)
def test_odd_spellings_of_local_addresses_are_refused(ca_pem: Path, host: str) -> None:
    recorder = RecordingBackend()
    client = build_async_client(
        NetPolicy(), ssl_context=build_ssl_context(ca_pem), network_backend=recorder
    )
    with pytest.raises(PolicyRefused):
        _head(client, f"https://{host}/")
    assert recorder.connects == []


def test_plain_http_is_never_contacted(ca_pem: Path) -> None:
    with HTTPSServer(None) as plain:  # a listener speaking plain HTTP
        client = build_async_client(
            NetPolicy.parse(["127.0.0.1"]), ssl_context=build_ssl_context(ca_pem), timeout=5
        )
        with pytest.raises(httpx.UnsupportedProtocol, match="only https://"):
            _head(client, f"http://127.0.0.1:{plain.port}/")
        assert plain.connections == 0


def test_redirects_are_not_followed(ca: trustme.CA, ca_pem: Path) -> None:
    moved = {"/a": Route(302, (("Location", "/b"),))}
    with HTTPSServer(ca.issue_cert("127.0.0.1"), routes=moved) as srv:
        client = build_async_client(
            NetPolicy.parse(["127.0.0.1"]), ssl_context=build_ssl_context(ca_pem), timeout=5
        )
        response = _head(client, srv.url("/a"))
        assert response.status_code == 302
        assert [r.path for r in srv.requests] == ["/a"]


def test_a_header_with_a_line_break_is_never_sent(server: HTTPSServer, ca_pem: Path) -> None:
    with (
        build_client(
            NetPolicy.parse(["127.0.0.1"]), ssl_context=build_ssl_context(ca_pem), timeout=5
        ) as client,
        pytest.raises(httpx.LocalProtocolError),
    ):
        client.post(server.url("/"), headers={"X-Key": "a\r\nInjected: 1"}, content=b"[]")
    assert server.requests == []


def test_tls_below_1_2_is_never_negotiated() -> None:
    assert build_ssl_context().minimum_version is ssl.TLSVersion.TLSv1_2
    assert build_ssl_context().verify_mode is ssl.CERT_REQUIRED
    assert build_ssl_context().check_hostname


def test_system_and_certifi_cas_are_trusted() -> None:
    import certifi

    trusted = {cert["serialNumber"] for cert in build_ssl_context().get_ca_certs()}
    pem = Path(certifi.where()).read_text()
    first = pem[pem.index("-----BEGIN CERTIFICATE-----") :]
    first = first[: first.index("-----END CERTIFICATE-----") + len("-----END CERTIFICATE-----")]
    der = ssl.PEM_cert_to_DER_cert(first)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cadata=der)
    [certifi_root] = context.get_ca_certs()
    assert certifi_root["serialNumber"] in trusted


def test_a_ca_appended_to_a_bundle_is_trusted(ca: trustme.CA, tmp_path: Path) -> None:
    """One PEM file with several CAs, the one that matters last (no hashed directory, no
    c_rehash): what `cat new-ca.pem >> bundle.pem` gives."""
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(trustme.CA().cert_pem.bytes() + ca.cert_pem.bytes())
    with HTTPSServer(ca.issue_cert("127.0.0.1")) as srv:
        client = build_async_client(
            NetPolicy.parse(["127.0.0.1"]), ssl_context=build_ssl_context(bundle), timeout=5
        )
        assert _head(client, srv.url("/")).status_code == 200


@pytest.mark.parametrize(
    ("path", "problem"), [("/dev/zero", "not a regular file"), (".", "not a regular file")]
)
def test_a_ca_bundle_that_is_not_a_file_is_refused(path: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        build_ssl_context(path)
