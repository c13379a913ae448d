"""An empty selection is not a finished request: a request that selects no runs is not
frozen (it stays pending, "selected no runs"), `requests preview` exits 1 for it, and the
dispatch after a runs import sends what it then selects; `limits.allowEmpty: true`
accepts the empty result as completed 0/0. Through the real CLI on both stores."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import trustme

from tests.conftest import run_cli
from tests.dispatch_support import API_KEY, Receiver, record_text, seed_store_at, write_tree

LATE = "2026-11-28-sap-outage"
ACCEPTING = "2026-11-29-maybe-nothing"
ENV = {"ORDERS_API_KEY": API_KEY}


def cli(root: Path, store_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("--store", store_url, "--repo", str(root), *args, env=ENV)


def test_a_request_selecting_no_runs_waits_for_the_import_that_brings_them(
    tmp_path: Path, store_url: str
) -> None:
    ca = trustme.CA()
    (tmp_path / "ca.pem").write_bytes(ca.cert_pem.bytes())
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        write_tree(tmp_path, ca_pem=tmp_path / "ca.pem", url=receiver.url())
        # Only completed runs so far: the request's Error selection is empty.
        seed_store_at(store_url, tmp_path, [record_text(i, status_id=1) for i in range(5)])

        preview = cli(tmp_path, store_url, "requests", "preview")
        assert preview.returncode == 1, preview.stdout + preview.stderr
        assert (
            f"request {LATE} (requests.d/{LATE}.yaml): resubmit 0 runs in 0 batches "
            "(maxRuns 10,000): nothing to send" in preview.stdout
        ), preview.stdout
        assert "selected no runs: dispatch leaves this request pending" in preview.stdout
        markdown = cli(tmp_path, store_url, "requests", "preview", "--format", "markdown")
        assert markdown.returncode == 1, markdown.stdout + markdown.stderr
        assert (
            "1 request to dispatch on merge: **1 request selecting no runs**; 0 runs would be "
            "sent." in markdown.stdout
        ), markdown.stdout
        assert (
            "- ❌ this request selects no runs: `requests preview` exits 1, and dispatch would "
            "freeze nothing and send nothing (the request stays pending). Set "
            "`limits.allowEmpty: true` or widen the selection.\n" in markdown.stdout
        ), markdown.stdout
        assert "none refused" not in markdown.stdout and "⚠️" not in markdown.stdout
        as_json = json.loads(
            cli(tmp_path, store_url, "requests", "preview", "--format", "json").stdout
        )
        [doc] = as_json["requests"]
        assert doc["state"] == "empty" and doc["warnings"][0].startswith("selected no runs")

        waiting = cli(tmp_path, store_url, "requests", "dispatch")
        assert waiting.returncode == 0, waiting.stdout + waiting.stderr
        assert f"{LATE} (resubmit): pending" in waiting.stdout
        assert "  pending: selected no runs: nothing frozen, nothing sent" in waiting.stdout
        assert "1 request: 1 pending." in waiting.stdout
        [outcome] = json.loads(
            cli(tmp_path, store_url, "requests", "dispatch", "--format", "json").stdout
        )["requests"]
        assert outcome["status"] == "pending"
        assert outcome["hold"]["reason"].startswith("selected no runs")
        assert receiver.hits == []
        listed = cli(tmp_path, store_url, "requests", "status")
        assert "No requests in the ledger yet." in listed.stdout  # nothing frozen

        # The failed runs arrive; the next dispatch sends exactly them.
        runs = tmp_path / "later.ndjson"
        runs.write_text("".join(record_text(100 + i) + "\n" for i in range(12)))
        imported = cli(tmp_path, store_url, "runs", "import", str(runs))
        assert imported.returncode == 0, imported.stderr
        assert cli(tmp_path, store_url, "requests", "preview").returncode == 0
        sent = cli(tmp_path, store_url, "requests", "dispatch")
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert f"{LATE} (resubmit): completed" in sent.stdout
        assert "  12/12 runs delivered in 2 batches" in sent.stdout
        ids = sorted(run["id"] for hit in receiver.hits for run in json.loads(hit.body))
    assert ids == [f"run-{100 + i:06d}" for i in range(12)]


def test_allow_empty_accepts_no_runs_as_completed(tmp_path: Path, store_url: str) -> None:
    ca = trustme.CA()
    (tmp_path / "ca.pem").write_bytes(ca.cert_pem.bytes())
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        write_tree(
            tmp_path, ca_pem=tmp_path / "ca.pem", url=receiver.url(), requests={ACCEPTING: {}}
        )
        path = tmp_path / "requests.d" / f"{ACCEPTING}.yaml"
        path.write_text(path.read_text() + "  allowEmpty: true\n")
        seed_store_at(store_url, tmp_path, [record_text(i, status_id=1) for i in range(3)])

        assert cli(tmp_path, store_url, "validate").returncode == 0
        preview = cli(tmp_path, store_url, "requests", "preview")
        assert preview.returncode == 0, preview.stdout + preview.stderr
        assert "selected no runs" not in preview.stdout
        done = cli(tmp_path, store_url, "requests", "dispatch")
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"{ACCEPTING} (resubmit): completed" in done.stdout
        assert receiver.hits == []
    status = json.loads(
        cli(tmp_path, store_url, "requests", "status", ACCEPTING, "--format", "json").stdout
    )
    assert (status["request"]["status"], status["request"]["runCount"]) == ("completed", 0)


def test_allow_empty_must_be_a_boolean(tmp_path: Path) -> None:
    write_tree(tmp_path, ca_pem=tmp_path / "ca.pem", url="https://127.0.0.1:9/x")
    (tmp_path / "ca.pem").write_text("")
    path = tmp_path / "requests.d" / f"{LATE}.yaml"
    path.write_text(path.read_text() + "  allowEmpty: sometimes\n")
    done = cli(tmp_path, f"sqlite:///{tmp_path / 's.db'}", "validate")
    assert done.returncode == 1
    assert f"requests.d/{LATE}.yaml:11:" in done.stdout and "allowEmpty" in done.stdout, done.stdout
