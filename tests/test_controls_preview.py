"""`requests preview` shows a request's replay controls before merge: the rate limit each
flow keeps to with the expected duration, the schedule, and whose approval dispatch needs."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.dispatch_support import record_text, seed_store_at, write_tree

REQUEST = "2026-11-28-sap-outage"


def controlled_tree(root: Path, ca_pem: Path, store_url: str) -> None:
    write_tree(root, ca_pem=ca_pem, url="https://127.0.0.1:9/resubmit", batch_size=10)
    flow = root / "flows.d" / "orders.yaml"
    flow.write_text(
        flow.read_text()
        + "  rateLimit: {requests: 600, per: minute}\nowners: ['@alice', '@acme/billing']\n"
    )
    request = root / "requests.d" / f"{REQUEST}.yaml"
    request.write_text(
        request.read_text()
        + "rateLimit: {requests: 2, per: second}\n"
        + "schedule:\n  notBefore: '2026-11-28T22:00:00+01:00'\n  windows:\n"
        + "    - {days: [Mon, Tue], from: '22:00', to: '06:00', timeZone: Europe/Brussels}\n"
    )
    config = root / "reconciler.yaml"
    config.write_text(config.read_text() + "approvals:\n  requests: {minRuns: 50}\n")
    seed_store_at(store_url, root, [record_text(i) for i in range(60)])


def test_preview_shows_rate_limit_duration_schedule_and_approval(
    sqlite_url: str, tmp_path: Path, ca_pem: Path
) -> None:
    controlled_tree(tmp_path, ca_pem, sqlite_url)
    base = ("--store", sqlite_url, "--repo", str(tmp_path), "requests", "preview")
    text = run_cli(*base)
    assert text.returncode == 0, text.stderr
    # the request's 2/s is stricter than the flow's 600/min (10/s): 6 POSTs, 5 gaps of 0.5 s
    assert "    rate limit: 6 batches at 2/s: ~3 s\n" in text.stdout
    assert (
        "  schedule: not before 2026-11-28T22:00:00+01:00; Mon,Tue 22:00-06:00 Europe/Brussels\n"
        in text.stdout
    )
    assert (
        "  approval: selects 60 runs (approvals.requests.minRuns 50): dispatched only once the "
        "pull request has an approving review from an owner of every flow (Order Processing: "
        "one of @alice, @acme/billing)\n" in text.stdout
    )
    doc = json.loads(run_cli(*base, "--format", "json").stdout)
    (item,) = doc["requests"]
    assert item["flows"][0]["rateLimit"] == {"requests": 2, "per": "second"}
    assert item["flows"][0]["expectedDuration"] == "6 batches at 2/s: ~3 s"
    assert item["schedule"].startswith("not before 2026-11-28T22:00:00+01:00")
    assert "one of @alice, @acme/billing" in item["approval"]
    markdown = run_cli(*base, "--format", "markdown").stdout
    assert "- rate limit: 6 batches at 2/s: ~3 s" in markdown
    assert "- 🕒 schedule: not before 2026-11-28T22:00:00+01:00" in markdown
    assert "- 👀 approval: selects 60 runs" in markdown


def test_a_request_under_the_approval_threshold_says_nothing_of_it(
    sqlite_url: str, tmp_path: Path, ca_pem: Path
) -> None:
    controlled_tree(tmp_path, ca_pem, sqlite_url)
    config = tmp_path / "reconciler.yaml"
    config.write_text(config.read_text().replace("minRuns: 50", "minRuns: 61"))
    out = run_cli("--store", sqlite_url, "--repo", str(tmp_path), "requests", "preview")
    assert out.returncode == 0, out.stderr
    assert "approval:" not in out.stdout
    assert "rate limit: 6 batches at 2/s" in out.stdout


def test_a_sub_second_estimate_reads_under_1_s(
    sqlite_url: str, tmp_path: Path, ca_pem: Path
) -> None:
    controlled_tree(tmp_path, ca_pem, sqlite_url)
    request = tmp_path / "requests.d" / f"{REQUEST}.yaml"
    # without the request's 2/s, the flow's 600/min holds: 6 POSTs, 5 gaps of 0.1 s
    request.write_text(request.read_text().replace("rateLimit: {requests: 2, per: second}\n", ""))
    base = ("--store", sqlite_url, "--repo", str(tmp_path), "requests", "preview")
    out = run_cli(*base)
    assert out.returncode == 0, out.stderr
    # not "~0 s", which reads as if no limit applied
    assert "    rate limit: 6 batches at 600/min: under 1 s\n" in out.stdout, out.stdout
    markdown = run_cli(*base, "--format", "markdown").stdout
    assert "- rate limit: 6 batches at 600/min: under 1 s" in markdown
