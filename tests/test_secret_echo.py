"""Secrets a receiver echoes back in another spelling are masked in every output and never
stored; a header secret with a line break is refused before anything is sent."""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import urllib.parse
from pathlib import Path

import pytest
import trustme

from reconciler.store.base import open_store
from tests.conftest import run_cli
from tests.dispatch_support import Hit, Receiver, Reply, record_text, seed_store, write_tree

REQUEST = "2026-11-28-sap-outage"
SENTINELS = ["SENTINEL/\u00e9-\u00fc9", 'SENT"IN\\EL']
FAST = {
    "RECONCILER_DISPATCH_BASE_DELAY": "0.01",
    "RECONCILER_DISPATCH_MAX_DELAY": "0.05",
}


def spellings(secret: str) -> list[str]:
    raw = secret.encode()
    return [
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        urllib.parse.quote(secret, safe=""),
        base64.b64encode(raw).decode(),
    ]


def echo_headers(hit: Hit) -> Reply:
    """A receiver that answers 400 echoing the key in every spelling a server may use (JSON
    with and without ASCII escapes, URL- and base64-encoded), then all request headers."""
    key = hit.headers["x-api-key"]
    forms = ", ".join(
        [
            f'"ascii": {json.dumps(key)}',
            f'"utf8": {json.dumps(key, ensure_ascii=False)}',
            f'"query": "{urllib.parse.urlencode({"k": key})}"',
            f'"b64": "{base64.b64encode(key.encode()).decode()}"',
            f'"headers": {json.dumps(hit.headers)}',
        ]
    )
    return Reply(400, body=("{" + forms + "}").encode())


def cli(root: Path, store_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli("--store", store_url, "--repo", str(root), *args, env={**FAST, **env})


@pytest.mark.parametrize("secret", SENTINELS)
def test_a_secret_echoed_back_encoded_is_masked_everywhere_and_never_stored(
    secret: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with Receiver(ca.issue_cert("127.0.0.1"), echo_headers) as receiver:
        write_tree(tmp_path, ca_pem=ca_pem, url=receiver.url(), max_attempts=1)
        store = open_store(store_url, root=tmp_path)
        try:
            seed_store(store, tmp_path, [record_text(i) for i in range(3)])
        finally:
            store.close()
        outputs = [
            cli(tmp_path, store_url, "requests", "dispatch", ORDERS_API_KEY=secret),
            cli(tmp_path, store_url, "requests", "dispatch", "--only", REQUEST),
        ]
        assert receiver.hits and receiver.hits[0].headers["x-api-key"] == secret
    assert outputs[0].returncode == 1
    assert "HTTP 400 Bad Request" in outputs[0].stdout, outputs[0].stdout
    outputs += [
        cli(tmp_path, store_url, "requests", "status"),
        cli(tmp_path, store_url, "requests", "status", REQUEST, "--runs"),
        cli(tmp_path, store_url, "requests", "status", REQUEST, "--format", "json"),
        cli(tmp_path, store_url, "history"),
        cli(tmp_path, store_url, "history", "--format", "json"),
        cli(tmp_path, store_url, "status"),
    ]
    github = run_cli(
        "--store",
        store_url,
        "--repo",
        str(tmp_path),
        "requests",
        "status",
        REQUEST,
        env={**FAST, "GITHUB_ACTIONS": "true"},
    )
    outputs.append(github)
    texts = [out.stdout + out.stderr for out in outputs]
    with sqlite3.connect(tmp_path / "store.db") as db:
        tables = [
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            texts.append(json.dumps(db.execute(f"SELECT * FROM {table}").fetchall()))
    for form in spellings(secret):
        leaked = [text for text in texts if form in text]
        assert not leaked, (form, leaked[:1])


def test_a_header_secret_with_a_line_break_is_refused_before_anything_is_sent(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        write_tree(tmp_path, ca_pem=ca_pem, url=receiver.url())
        store = open_store(store_url, root=tmp_path)
        try:
            seed_store(store, tmp_path, [record_text(i) for i in range(3)])
        finally:
            store.close()
        done = cli(
            tmp_path,
            store_url,
            "requests",
            "dispatch",
            ORDERS_API_KEY="value\r\nX-Injected: yes",
        )
        assert receiver.hits == []
    assert done.returncode == 1
    assert (
        "environment variable ORDERS_API_KEY (header x-api-key of flow Order Processing) "
        "contains CR, LF" in done.stdout
    )
    assert "X-Injected" not in done.stdout + done.stderr
