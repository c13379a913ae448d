"""`reconciler requests dispatch` to endpoints it must not send to: a host that resolves
to a private address (the network policy, checked on the resolved address at send time,
not only on the URL's text) and a receiver whose certificate the CA bundle does not
vouch for. Nothing is sent, the request is not marked done, and a fixed re-run sends."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import trustme

from reconciler.store import batches as batch_store
from reconciler.store.base import open_store
from tests.conftest import run_cli
from tests.dispatch_support import API_KEY, Receiver, record_text, seed_store_at, write_tree

REQUEST = "2026-11-28-sap-outage"
FAST = {
    "ORDERS_API_KEY": API_KEY,
    "RECONCILER_DISPATCH_BASE_DELAY": "0.01",
    "RECONCILER_DISPATCH_MAX_DELAY": "0.05",
}


def dispatch(root: Path, store_url: str) -> tuple[int, str]:
    done = run_cli("--store", store_url, "--repo", str(root), "requests", "dispatch", env=FAST)
    return done.returncode, done.stdout + done.stderr


def batch_statuses(store_url: str, root: Path) -> set[str]:
    store = open_store(store_url, root=root)
    try:
        return {b.status for b in batch_store.batches(store, REQUEST)}
    finally:
        store.close()


def prepare(root: Path, store_url: str, ca_pem: Path, url: str, *, allow: bool) -> None:
    write_tree(root, ca_pem=ca_pem, url=url, batch_size=5)
    if not allow:  # the same config without the loopback allowance
        (root / "reconciler.yaml").write_text(
            f"apiVersion: reconciler/v1\nkind: Config\nnetwork:\n  caBundle: {ca_pem}\n"
        )
    seed_store_at(store_url, root, [record_text(i) for i in range(12)])


def test_a_name_resolving_to_a_private_address_is_refused_at_send_time(
    store_url: str, tmp_path: Path
) -> None:
    ca = trustme.CA()
    ca_pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    host = socket.gethostname()  # a plain name: the validator cannot know where it points
    address = ipaddress.ip_address(socket.gethostbyname(host))
    assert address.is_private, f"{host} resolves to {address}: this test needs a private one"
    with Receiver(ca.issue_cert(host, "127.0.0.1")) as receiver:
        url = receiver.url().replace("127.0.0.1", host)
        prepare(tmp_path, store_url, ca_pem, url, allow=False)
        code, output = dispatch(tmp_path, store_url)
        assert code != 0, output
        assert "refused by the network policy" in output and f"{address}" in output, output
        assert receiver.hits == []
        assert "delivered" not in batch_statuses(store_url, tmp_path)
        assert API_KEY not in output


def test_a_receiver_outside_the_ca_bundle_gets_nothing(store_url: str, tmp_path: Path) -> None:
    trusted, other = trustme.CA(), trustme.CA()
    ca_pem = tmp_path / "ca.pem"
    trusted.cert_pem.write_to_path(str(ca_pem))
    with Receiver(other.issue_cert("127.0.0.1")) as receiver:
        prepare(tmp_path, store_url, ca_pem, receiver.url(), allow=True)
        code, output = dispatch(tmp_path, store_url)
        assert code != 0, output
        assert "TLS verification failed" in output and "certificate verify failed" in output
        assert receiver.hits == []
        assert "delivered" not in batch_statuses(store_url, tmp_path)
    # The receiver fixed (a certificate from the trusted CA): the re-run delivers all.
    with Receiver(trusted.issue_cert("127.0.0.1")) as fixed:
        write_tree(tmp_path, ca_pem=ca_pem, url=fixed.url(), batch_size=5)
        code, output = dispatch(tmp_path, store_url)
        assert code == 0, output
        assert batch_statuses(store_url, tmp_path) == {"delivered"}
        assert sorted(len(h.body) > 2 for h in fixed.hits) == [True] * 3
