"""`apply` and the endpoint checks: URLs written anew are checked, recorded and warned
about; `--require-reachable` refuses the whole apply; `status` shows endpoint health."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.store import open_store
from reconciler.store.checks import latest_checks
from reconciler.store.flows import load_flows
from tests.conftest import run_cli
from tests.flowfiles import write_flow
from tests.https_servers import HTTPSServer

CHECK_ON = {"RECONCILER_ENDPOINT_CHECK": "1", "ORDERS_API_KEY": "k"}


@pytest.fixture
def server(ca: Any) -> Iterator[HTTPSServer]:
    with HTTPSServer(ca.issue_cert("127.0.0.1")) as srv:
        yield srv


@pytest.fixture
def closed_url() -> Iterator[str]:
    with socket.socket() as s:  # bound, never listening: connection refused
        s.bind(("127.0.0.1", 0))
        yield f"https://127.0.0.1:{s.getsockname()[1]}/resubmit"


def repo(root: Path, ca: Any) -> Path:
    ca.cert_pem.write_to_path(str(root / "ca.pem"))
    (root / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\n"
        "network:\n  allow: ['127.0.0.1/32']\n  caBundle: ca.pem\n"
    )
    return root


def cli(root: Path, store_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("--store", store_url, "--repo", str(root), *args, env=CHECK_ON)


def test_apply_checks_new_urls_records_and_warns(
    tmp_path: Path, ca: Any, server: HTTPSServer, closed_url: str, sqlite_url: str
) -> None:
    root = repo(tmp_path, ca)
    write_flow(root, "Good", url=server.url("/good"))
    write_flow(root, "Down", url=closed_url)
    done = cli(root, sqlite_url, "apply")
    assert done.returncode == 0, done.stderr
    assert f"note: unreachable endpoint {closed_url} (Down): connection refused" in done.stdout
    assert [(r.method, r.path) for r in server.requests] == [("HEAD", "/good")]
    store = open_store(sqlite_url)
    try:
        assert sorted(load_flows(store)) == ["Down", "Good"]
        checks = latest_checks(store)
        assert checks[server.url("/good")].reachable
        assert not checks[closed_url].reachable
    finally:
        store.close()

    status = cli(root, sqlite_url, "status", "--format", "json")
    assert status.returncode == 0, status.stderr
    doc = json.loads(status.stdout)
    endpoints = doc["endpoints"]
    assert [(e["url"], e["health"], e["reachable"]) for e in endpoints] == [
        (closed_url, "unreachable", False),  # worst first
        (server.url("/good"), "ok", True),
    ]
    assert not doc["ok"] and doc["attention"][0]["subject"] == closed_url
    text = cli(root, sqlite_url, "status").stdout
    assert f"✗ error    endpoint {closed_url} is unreachable: connection refused" in text
    assert f"  [unreachable] {closed_url}" in text

    # Nothing changed: nothing checked. A new description: still nothing to check.
    write_flow(root, "Good", url=server.url("/good"), description="edited")
    assert cli(root, sqlite_url, "apply").returncode == 0
    assert len(server.requests) == 1
    # A changed URL is checked.
    write_flow(root, "Good", url=server.url("/moved-here"), description="edited")
    assert cli(root, sqlite_url, "apply").returncode == 0
    assert [r.path for r in server.requests] == ["/good", "/moved-here"]


def test_require_reachable_refuses_the_whole_apply(
    tmp_path: Path, ca: Any, server: HTTPSServer, closed_url: str, store_url: str
) -> None:
    root = repo(tmp_path, ca)
    write_flow(root, "Good", url=server.url("/good"))
    write_flow(root, "Down", url=closed_url)
    done = cli(root, store_url, "apply", "--require-reachable")
    assert done.returncode == 1
    assert "1 changed endpoint unreachable; nothing was applied (--require-reachable)" in (
        done.stderr
    )
    assert f"{closed_url} (Down): connection refused" in done.stderr
    store = open_store(store_url)
    try:
        assert load_flows(store) == {} and store.revision() == 0
    finally:
        store.close()
    write_flow(root, "Down", url=server.url("/fixed"))
    done = cli(root, store_url, "apply", "--require-reachable")
    assert done.returncode == 0, done.stderr
    store = open_store(store_url)
    try:
        assert sorted(load_flows(store)) == ["Down", "Good"]
    finally:
        store.close()


def test_no_endpoint_check_and_require_reachable_conflict(tmp_path: Path, sqlite_url: str) -> None:
    write_flow(tmp_path, "A")
    done = cli(tmp_path, sqlite_url, "apply", "--no-endpoint-check", "--require-reachable")
    assert done.returncode == 64
    assert "--require-reachable needs the endpoint check" in done.stderr
