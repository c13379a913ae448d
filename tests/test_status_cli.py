"""`reconciler status` names what needs attention first, through the real CLI on both
stores, in text, JSON, markdown and GitHub annotations: failed, refused and waiting
requests by name (until a follow-up request completed them), an endpoint whose check
passes but whose every POST fails, drifted flows, the lock holder; then the per-flow view
(runs by status group, last dispatch and its outcome) and replay outcomes, also in
`requests status NAME`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from reconciler.store.base import open_store, utcnow
from reconciler.store.lock import StoreLock
from tests.dispatch_support import Receiver, Reply
from tests.status_scenario import (
    FAILED_AGAIN,
    FAILING,
    INJECTED,
    INVOICES,
    ORDERS,
    REFUSED,
    REPLAY,
    SENTINEL,
    Scenario,
    build,
    reimport_replay,
    script,
)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def scenario(tmp_path: Path, store_url: str, ca: trustme.CA) -> Iterator[Scenario]:
    with Receiver(ca.issue_cert("127.0.0.1"), script) as receiver:
        built = build(tmp_path / "repo", store_url, ca, receiver)
        reimport_replay(built)
        yield built


def status(scenario: Scenario, fmt: str) -> str:
    done = scenario.cli("status", "--format", fmt)
    assert done.returncode == 0, done.stderr
    assert SENTINEL not in done.stdout + done.stderr
    return done.stdout


def attention(scenario: Scenario) -> list[dict[str, str]]:
    return json.loads(status(scenario, "json"))["attention"]  # type: ignore[no-any-return]


def test_status_names_what_needs_attention_first_in_every_format(scenario: Scenario) -> None:
    store = open_store(scenario.store_url)
    lock = StoreLock(store, purpose="apply", actor="octocat", heartbeat=False)
    lock.acquire()
    try:
        doc = json.loads(status(scenario, "json"))
        text = status(scenario, "text")
        markdown = status(scenario, "markdown")
        github = status(scenario, "github")
    finally:
        lock.release()
        store.close()

    items = [(a["tone"], a["kind"], a["subject"]) for a in doc["attention"]]
    ops_url = scenario.receiver.url("/ops")
    assert items == [
        ("error", "request", REFUSED),
        ("error", "request", FAILING),
        ("error", "endpoint", ops_url),
        ("warning", "request", REPLAY),
        ("warning", "flow", INVOICES),
        ("notice", "lock", "writer"),
    ]
    by_subject = {(a["kind"], a["subject"]): a for a in doc["attention"]}
    assert "6 of 6 runs not delivered" in by_subject[("request", FAILING)]["message"]
    assert "HTTP 503" in by_subject[("request", FAILING)]["message"]
    assert "fromRequest: {name: 2026-12-01-ops-retry}" in by_subject[("request", FAILING)]["hint"]
    assert "more than 1 runs (limits.maxRuns)" in by_subject[("request", REFUSED)]["message"]
    assert (
        f"{len(FAILED_AGAIN)} of 30 replayed chains failed again"
        in by_subject[("request", REPLAY)]["message"]
    )
    assert "outcome: failed-again" in by_subject[("request", REPLAY)]["hint"]
    assert "changed outside Git" in by_subject[("flow", INVOICES)]["message"]
    assert by_subject[("flow", INVOICES)]["path"] == "flows.d/Finance/la-invoices.yaml"
    lock_item = by_subject[("lock", "writer")]["message"]
    assert lock_item.startswith("the store is locked by apply by octocat on ")

    # The endpoint answers its check (HEAD 405: reachable) and fails every POST.
    endpoints = {e["url"]: e for e in doc["endpoints"]}
    ops = endpoints[ops_url]
    assert ops["lastCheck"]["reachable"] is True and ops["lastCheck"]["httpStatus"] == 405
    assert ops["health"] == "failing" and ops["reachable"] is False
    assert ops["lastDispatch"]["outcome"] == "failed" and ops["lastDispatch"]["httpStatus"] == 503
    assert "last dispatch POST failed" in by_subject[("endpoint", ops_url)]["message"]
    assert doc["endpoints"][0]["health"] == "failing"  # worst first
    assert endpoints[scenario.receiver.url("/orders")]["health"] == "ok"

    # Text: attention first, before any other section, each item by name.
    lines = text.splitlines()
    assert lines[2] == f"Needs attention ({len(items)})"
    first_section = text.index("\nFlows: ")
    for _tone, _kind, subject in items[:-1]:
        assert subject in text[:first_section]
    assert "the store is locked by apply by octocat" in text[:first_section]
    # ... then the per-flow view: runs by status group, last dispatch and its outcome.
    assert "    Order Processing  [managed]  runs: Error 38, Completed 17" in text
    assert f"      last dispatch: delivered (request {REPLAY}, batch {ORDERS}#2" in text
    assert f"    {INJECTED}  [managed]  runs: Error 6" in text
    assert f"      last dispatch: failed (request {FAILING}, batch {INJECTED}#0" in text
    assert "    Invoices  [drift]  runs: Error 4" in text
    assert "    Legacy Billing  [unmanaged]  runs: Active 3" in text
    assert (
        f"replay: 10 completed, {len(FAILED_AGAIN)} failed again, 12 no later run yet (of 30 chains)"
        in text
    )
    flows = {f["name"]: f for g in doc["flows"]["folders"] for f in g["flows"]}
    assert flows[ORDERS]["runs"] == {
        "Active": 0,
        "Error": 38,
        "Completed": 17,
        "Ignored": 0,
        "Cancelled": 0,
        "Other": 0,
    }
    assert flows[ORDERS]["lastDispatch"]["outcome"] == "delivered"
    assert flows[INJECTED]["lastDispatch"]["outcome"] == "failed"
    assert flows[INVOICES]["state"] == "drift" and flows[INVOICES]["lastDispatch"] is None

    # Markdown: the same list as a table; a name that is markup stays text.
    assert markdown.index("#### Needs attention") < markdown.index("#### Flows")
    for _tone, _kind, subject in items[:-1]:
        assert subject in markdown
    assert "the store is locked by apply by octocat" in markdown
    assert "&lt;script&gt;alert(" in markdown and "<script>" not in markdown
    # GitHub: one annotation per item, at the file it comes from.
    annotations = [line for line in github.splitlines() if line.startswith("::")]
    assert len(annotations) == len(items)
    assert annotations[0].startswith(
        f"::error file=requests.d/{REFUSED}.yaml,title=status%3A request {REFUSED}::request {REFUSED}: refused"
    )
    assert annotations[2].startswith(
        "::error file=flows.d/Ops/la-ops.yaml,title=status%3A endpoint https%3A//127.0.0.1%3A"
    )
    assert annotations[4].startswith(
        f"::warning file=flows.d/Finance/la-invoices.yaml,title=status%3A flow {INVOICES}::flow {INVOICES} drifted"
    )
    assert annotations[5].startswith("::notice title=status%3A lock writer::the store is locked by")


def test_a_completed_follow_up_clears_a_failed_request_and_its_endpoint(scenario: Scenario) -> None:
    scenario.receiver.set_script(lambda hit: Reply(405, body=b"") if not hit.key else Reply())
    follow_up = "2026-12-02-ops-follow-up"
    scenario.add_request(follow_up, INJECTED, "  fromRequest: {name: 2026-12-01-ops-retry}\n")
    done = scenario.cli("requests", "dispatch", "--only", follow_up)
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(status(scenario, "json"))
    subjects = [(a["kind"], a["subject"]) for a in doc["attention"]]
    assert ("request", FAILING) not in subjects and ("request", follow_up) not in subjects
    assert not [s for s in subjects if s[0] == "endpoint"]  # its last POST was delivered
    assert ("request", REFUSED) in subjects  # nothing followed that one up
    shown = {r["name"]: r for r in doc["requests"]["shown"]}
    assert shown[FAILING]["status"] == "failed" and shown[FAILING]["clearedBy"] == follow_up
    text = status(scenario, "text")
    assert f"cleared by request {follow_up} (completed)" in text
    assert f"request {FAILING}:" not in text.split("\nFlows: ")[0]


def test_states_this_tool_does_not_know_yet_are_shown_by_name(scenario: Scenario) -> None:
    store = open_store(scenario.store_url)
    try:
        with store.transaction():  # what a newer dispatcher (schedules, approvals) writes
            for name, state in (
                ("2026-12-03-night", "waiting"),
                ("2026-12-03-later", "parked_by_newer_tool"),
            ):
                store.execute(
                    "INSERT INTO requests (name, action, content_hash, spec, status, created_at) "
                    "VALUES (?, 'resubmit', 'sha256:x', '{}', ?, ?)",
                    (name, state, utcnow()),
                )
    finally:
        store.close()
    items = {a["subject"]: a for a in attention(scenario)}
    assert items["2026-12-03-night"]["tone"] == "notice"
    assert "waiting for its schedule (not a failure)" in items["2026-12-03-night"]["message"]
    assert items["2026-12-03-later"]["message"] == "request 2026-12-03-later: parked by newer tool"
    text = status(scenario, "text")
    assert "? 2026-12-03-later  resubmit  [parked by newer tool]" in text


def test_requests_status_shows_replay_outcomes(scenario: Scenario) -> None:
    text = scenario.cli("requests", "status", REPLAY)
    assert text.returncode == 0, text.stderr
    assert (
        f"  replay outcome: 10 completed, {len(FAILED_AGAIN)} failed again, 12 no later run yet "
        "(of 30 chains)" in text.stdout
    )
    outcome = f"10 completed, {len(FAILED_AGAIN)} failed again, 12 no later run yet (of 30 chains)"
    markdown = scenario.cli("requests", "status", REPLAY, "--format", "markdown")
    assert f"Replay outcome: {outcome}." in markdown.stdout.splitlines(), markdown.stdout
    github = scenario.cli("requests", "status", REPLAY, "--format", "github")
    assert f"  replay outcome: {outcome}" in github.stdout.splitlines(), github.stdout
    doc = json.loads(scenario.cli("requests", "status", REPLAY, "--format", "json").stdout)
    assert doc["request"]["replay"] == {
        "chains": 30,
        "completed": 10,
        "failedAgain": len(FAILED_AGAIN),
        "other": 0,
        "noneYet": 12,
        "runsWithoutChain": 0,
    }
    # Nothing was delivered for the failed request: there is nothing to follow.
    failed = json.loads(scenario.cli("requests", "status", FAILING, "--format", "json").stdout)
    assert failed["request"]["replay"] is None
    assert "replay outcome" not in scenario.cli("requests", "status", FAILING).stdout
