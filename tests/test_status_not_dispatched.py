"""`status` names a merged request the store does not hold yet -- not dispatched, or
dispatched when it selected no runs (it stays pending and nothing is frozen) -- so an
operator sees it waiting; it leaves the list once a dispatch freezes it. In text, JSON,
GitHub annotations and the HTML page, through the real CLI on both stores."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import trustme

from tests.conftest import run_cli
from tests.dispatch_support import API_KEY, Receiver, record_text, seed_store_at, write_tree

NAME = "2026-11-28-sap-outage"
PATH = f"requests.d/{NAME}.yaml"


def cli(root: Path, store_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = run_cli(
        "--store", store_url, "--repo", str(root), *args, env={"ORDERS_API_KEY": API_KEY}
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return done


def named(root: Path, store_url: str) -> list[dict[str, str]]:
    doc = json.loads(cli(root, store_url, "status", "--format", "json").stdout)
    assert [r["name"] for r in doc["requests"]["notDispatched"]] == [
        a["subject"] for a in doc["attention"] if a["kind"] == "request"
    ]
    return doc["requests"]["notDispatched"]  # type: ignore[no-any-return]


def test_status_names_a_merged_request_the_store_does_not_hold_until_it_is_frozen(
    tmp_path: Path, store_url: str, ca: trustme.CA, ca_pem: Path
) -> None:
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        write_tree(tmp_path, ca_pem=ca_pem, url=receiver.url())
        seed_store_at(store_url, tmp_path, [record_text(i, status_id=1) for i in range(5)])
        # Merged, not dispatched yet.
        assert named(tmp_path, store_url) == [{"name": NAME, "path": PATH}]
        # Dispatched while it selects no runs: still pending, still named.
        assert "pending" in cli(tmp_path, store_url, "requests", "dispatch").stdout
        assert named(tmp_path, store_url) == [{"name": NAME, "path": PATH}]
        text = cli(tmp_path, store_url, "status").stdout
        assert (
            f"  · notice   request {NAME}: pending, not in the store yet (not dispatched, or it "
            "selected no runs)" in text.splitlines()
        ), text
        github = cli(tmp_path, store_url, "status", "--format", "github").stdout
        assert f"::notice file={PATH},title=status%3A request {NAME}::" in github, github
        page = cli(tmp_path, store_url, "status", "--format", "html").stdout
        assert f'data-subject="{NAME}"' in page and "not in the store yet" in page
        assert receiver.hits == []

        # Runs arrive; the next dispatch freezes and sends it: no longer listed.
        imported = tmp_path / "more.ndjson"
        imported.write_text("".join(record_text(100 + i) + "\n" for i in range(3)))
        assert cli(tmp_path, store_url, "runs", "import", str(imported)).returncode == 0
        assert cli(tmp_path, store_url, "requests", "dispatch").returncode == 0
        assert len(receiver.hits) == 1
    assert named(tmp_path, store_url) == []
    assert "not in the store yet" not in cli(tmp_path, store_url, "status").stdout
