"""apply tells the notify hooks when it restored flows changed outside Git (drift); a
hook that cannot be reached never fails the apply; the URL shows nowhere."""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path
from typing import Any

from tests.conftest import run_cli
from tests.flowfiles import write_flow
from tests.https_servers import serving

SENTINEL = "SENTINEL-drift-hook-51c0e2"


def drifted_repo(root: Path, ca_pem: Path, store: Path) -> None:
    write_flow(root, "Orders", url="https://good.example.com/resubmit")
    (root / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\n"
        f"network:\n  allow: ['127.0.0.1/32']\n  caBundle: {ca_pem}\n"
        "notify:\n"
        "  - {urlFrom: {env: DRIFT_HOOK}, on: [drift], format: json}\n"
        "  - {urlFrom: {env: DEAD_HOOK}, on: [drift, completed], format: slack}\n"
        "  - {urlFrom: {env: DONE_HOOK}, on: [completed], format: json}\n"
    )
    first = run_cli("--store", f"sqlite:///{store}", "--repo", str(root), "apply")
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(store) as conn:
        conn.execute(
            "UPDATE flows SET spec = replace(spec, 'good.example.com', 'evil.example.com')"
        )


def test_apply_notifies_drift_and_survives_a_dead_hook(
    tmp_path: Path, ca: Any, ca_pem: Path
) -> None:
    store = tmp_path / "store.db"
    drifted_repo(tmp_path, ca_pem, store)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    with serving(ca.issue_cert("127.0.0.1")) as hook, serving(ca.issue_cert("127.0.0.1")) as done:
        env = {
            "DRIFT_HOOK": hook.url(f"/events/{SENTINEL}"),
            "DEAD_HOOK": f"https://127.0.0.1:{dead}/{SENTINEL}",
            "DONE_HOOK": done.url(f"/done/{SENTINEL}"),
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "acme/flows",
            "GITHUB_RUN_ID": "42",
        }
        result = run_cli("--store", f"sqlite:///{store}", "--repo", str(tmp_path), "apply", env=env)
        bodies = [json.loads(r.body) for r in hook.requests]
        completed_hook = done.requests
    assert result.returncode == 0, result.stderr  # the dead hook does not fail the apply
    (event,) = bodies
    assert event["event"] == "drift" and event["subject"] == "flow Orders"
    assert event["counts"] == {"restored": 1}
    assert event["reason"].startswith("changed outside Git, restored by apply (Orders: by ")
    assert event["link"] == "https://github.com/acme/flows/actions/runs/42"
    assert completed_hook == []  # an entry without `drift` in on: hears nothing
    out = result.stdout + result.stderr
    assert "drift notification to notify[0] (env DRIFT_HOOK): sent (HTTP 200" in out
    assert "drift notification to notify[1] (env DEAD_HOOK): NOT sent (ConnectError" in out
    assert SENTINEL not in out
    history = run_cli("--store", f"sqlite:///{store}", "--repo", str(tmp_path), "history")
    assert SENTINEL not in history.stdout + history.stderr
    assert SENTINEL.encode() not in store.read_bytes()


def test_an_apply_without_drift_sends_nothing(tmp_path: Path, ca: Any, ca_pem: Path) -> None:
    store = tmp_path / "store.db"
    drifted_repo(tmp_path, ca_pem, store)
    with serving(ca.issue_cert("127.0.0.1")) as hook:
        env = {
            "DRIFT_HOOK": hook.url("/h"),
            "DEAD_HOOK": hook.url("/h"),
            "DONE_HOOK": hook.url("/h"),
        }
        args = ("--store", f"sqlite:///{store}", "--repo", str(tmp_path), "apply")
        assert run_cli(*args, env=env).returncode == 0  # restores the drift: two POSTs
        again = run_cli(*args, env=env)
        posts = len(hook.requests)
    assert again.returncode == 0 and posts == 2  # the second apply had nothing to tell
