"""IPv6 addresses that carry an IPv4 address (IPv4-mapped, IPv4-compatible, 6to4, NAT64)
are judged, and connected to, as that IPv4 address only: no IPv6 allow entry admits them.

Every form of 127.0.0.1 (and of the metadata address 169.254.169.254) against every IPv6
allow shape, through the real CLI (validate, check, requests dispatch) and through the
send-time guard (a host name that resolves to such an address), with a listener on
127.0.0.1 that must see no connection at all."""

from __future__ import annotations

import ipaddress
import json
import subprocess
from pathlib import Path

import pytest
import trustme

from reconciler.core.endpoints import Outcome
from reconciler.core.netpolicy import IPAddress, NetPolicy
from reconciler.http.guard import AsyncResolver
from reconciler.http.reachability import check_urls
from reconciler.http.settings import NetworkSettings
from reconciler.store import requests as requests_store
from tests.conftest import run_cli
from tests.dispatch_support import (
    API_KEY,
    Receiver,
    dispatch_in_process,
    record_text,
    seed_store_at,
    write_tree,
)
from tests.https_servers import HTTPSServer

LOOPBACK_FORMS = {  # IPv6 spellings of 127.0.0.1
    "6to4": "2002:7f00:1::",
    "ipv4-mapped": "::ffff:127.0.0.1",
    "nat64": "64:ff9b::7f00:1",
    "ipv4-compatible": "::127.0.0.1",
}
METADATA_FORMS = {  # IPv6 spellings of 169.254.169.254
    "metadata-ipv4-mapped": "::ffff:a9fe:a9fe",
    "metadata-6to4": "2002:a9fe:a9fe::",
    "metadata-nat64": "64:ff9b::a9fe:a9fe",
}
# Allow entries that hold the IPv6 forms themselves, none of them an IPv4 entry.
IPV6_SHAPES = ["2000::/3", "::/0", "2002::/16", "64:ff9b::/96", "::ffff:0:0/96", "::/96"]


def resolve_to(address: str) -> AsyncResolver:
    async def resolve(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address(address)]

    return resolve


def _repo(root: Path, ca: trustme.CA, allow: list[str], port: int) -> dict[str, str]:
    """A repo with one flow per form, all aimed at `port`; returns flow file -> URL."""
    (root / "flows.d").mkdir(parents=True)
    ca.cert_pem.write_to_path(str(root / "ca.pem"))
    (root / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\nnetwork:\n"
        f"  allow: {json.dumps(allow)}\n  caBundle: ca.pem\n"
    )
    urls = {}
    for name, address in {**LOOPBACK_FORMS, **METADATA_FORMS}.items():
        url = f"https://[{address}]:{port}/resubmit"
        path = f"flows.d/{name}.yaml"
        (root / path).write_text(
            f"apiVersion: reconciler/v1\nkind: Flow\nname: {name}\nmappings:\n"
            f"  - workflowName: la-{name}\nresubmit:\n  url: {url}\n"
        )
        urls[path] = url
    return urls


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    store = f"sqlite:///{root / 'store.db'}"
    return run_cli("--store", store, "--repo", str(root), *args, env={"ORDERS_API_KEY": API_KEY})


@pytest.mark.parametrize("shape", IPV6_SHAPES)
def test_validate_and_check_refuse_every_form_under_an_ipv6_allow_entry(
    tmp_path: Path, ca: trustme.CA, shape: str
) -> None:
    with HTTPSServer(ca.issue_cert("127.0.0.1")) as listener:
        urls = _repo(tmp_path, ca, [shape], listener.port)
        validated = _cli(tmp_path, "validate", "--format", "json")
        checked = _cli(tmp_path, "check", "--format", "json", "--timeout", "2")
        assert listener.connections == 0
    assert validated.returncode == 1, validated.stdout + validated.stderr
    findings = {f["path"]: f for f in json.loads(validated.stdout)["findings"]}
    assert findings.keys() == urls.keys()
    for path, finding in findings.items():
        stands_for = "169.254.169.254" if "metadata" in path else "127.0.0.1"
        assert (finding["rule"], finding["line"], finding["col"]) == ("url-private-address", 7, 8)
        assert f"(it stands for {stands_for})" in finding["message"], finding
        # the hint names the entry that would admit it: the IPv4 address, not the IPv6 form
        assert finding["hint"].endswith(f'network.allow: ["{stands_for}"]'), finding
    assert checked.returncode == 1, checked.stdout + checked.stderr
    results = {r["url"]: r for r in json.loads(checked.stdout)["results"]}
    assert results.keys() == set(urls.values())
    for url, result in results.items():
        assert result["outcome"] == "refused_by_policy", result
        assert result["reason"].startswith("refused by network policy: "), result
        assert (
            " allow 127.0.0.1 in " in result["reason"]
            or " allow 169.254.169.254 in " in (result["reason"])
        ), url


@pytest.mark.parametrize("shape", IPV6_SHAPES)
def test_dispatch_refuses_a_tree_aimed_at_a_carried_loopback(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path, shape: str
) -> None:
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        form = LOOPBACK_FORMS[list(LOOPBACK_FORMS)[IPV6_SHAPES.index(shape) % 4]]
        write_tree(tmp_path, ca_pem=ca_pem, url=f"https://[{form}]:{receiver.port}/resubmit")
        (tmp_path / "reconciler.yaml").write_text(
            "apiVersion: reconciler/v1\nkind: Config\nnetwork:\n"
            f"  allow: [{json.dumps(shape)}]\n  caBundle: {ca_pem}\n"
        )
        done = _cli(tmp_path, "requests", "dispatch")
        assert receiver.connections == 0
    assert done.returncode == 1, done.stdout + done.stderr
    assert "nothing dispatched" in done.stderr and "stands for 127.0.0.1" in done.stderr


@pytest.mark.parametrize("shape", IPV6_SHAPES)
@pytest.mark.parametrize("form", LOOPBACK_FORMS.values(), ids=LOOPBACK_FORMS.keys())
def test_a_name_resolving_to_a_carried_loopback_is_refused_at_send_time(
    tmp_path: Path,
    ca: trustme.CA,
    ca_pem: Path,
    monkeypatch: pytest.MonkeyPatch,
    shape: str,
    form: str,
) -> None:
    """Validation cannot see where a name points; the guard screens what DNS answers."""
    monkeypatch.setenv("ORDERS_API_KEY", API_KEY)
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with Receiver(ca.issue_cert("orders.example.test", "127.0.0.1")) as receiver:
        url = f"https://orders.example.test:{receiver.port}/resubmit"
        write_tree(tmp_path, ca_pem=ca_pem, url=url)
        (tmp_path / "reconciler.yaml").write_text(
            "apiVersion: reconciler/v1\nkind: Config\nnetwork:\n"
            f"  allow: [{json.dumps(shape)}]\n  caBundle: {ca_pem}\n"
        )
        seed_store_at(store_url, tmp_path, [record_text(i) for i in range(20)])
        [outcome] = dispatch_in_process(tmp_path, store_url, dns={"orders.example.test": form})
        [result] = check_urls(
            [url], NetworkSettings(NetPolicy.parse([shape]), ca_pem), resolver=resolve_to(form)
        )
        assert receiver.connections == 0
    assert outcome.status == requests_store.FAILED
    assert outcome.error is not None and "refused by the network policy" in outcome.error
    assert "stands for 127.0.0.1" in outcome.error
    assert result.outcome is Outcome.REFUSED_BY_POLICY and result.attempts == 1
    assert "allow 127.0.0.1 in reconciler.yaml" in result.reason


def test_an_ipv4_entry_admits_every_form_and_the_connection_goes_to_ipv4(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    """The rule cuts both ways: the IPv4 entry that admits 127.0.0.1 admits its IPv6
    spellings, and the socket is opened to 127.0.0.1 itself."""
    with HTTPSServer(ca.issue_cert("orders.example.test")) as listener:
        url = f"https://orders.example.test:{listener.port}/r"
        for form in LOOPBACK_FORMS.values():
            [result] = check_urls(
                [url],
                NetworkSettings(NetPolicy.parse(["127.0.0.1/32"]), ca_pem),
                resolver=resolve_to(form),
            )
            assert result.reachable and result.address == "127.0.0.1", result
        assert listener.connections == len(LOOPBACK_FORMS)
