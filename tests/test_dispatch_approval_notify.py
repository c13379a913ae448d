"""`requests dispatch` and owner approval (a local stand-in for the GitHub REST API over
TLS) and the end-of-request notifications (HTTPS receivers for each format and a closed
port), through the CLI. The token and the webhook URLs are sentinels that must show in no
output, history or the store."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path
from typing import Any

import trustme

from tests.conftest import run_cli
from tests.dispatch_support import API_KEY, Hit, Receiver, Reply, record_text, seed_store_at
from tests.dispatch_support import write_tree as write_base_tree
from tests.github_standin import approval_data, github_api, review
from tests.https_servers import serving

REQUEST = "2026-11-28-sap-outage"
TOKEN = "ghp_SENTINELtoken0123456789abcdef"
HOOK_SECRET = "SENTINEL-hook-key-9d41aa"
SHA = "5eed" * 10
REPO_NAME = "acme/flows"
TWO_WORKFLOWS = "  - workflowName: la-orders\n  - workflowName: la-small\n"


def write_tree(root: Path, ca_pem: Path, url: str, *, owners: str, extra_config: str = "") -> None:
    write_base_tree(
        root,
        ca_pem=ca_pem,
        url=url,
        batch_size=2,
        requests={REQUEST: {}, "small": {"status": "Error", "max_runs": 10000}},
    )
    flow = root / "flows.d" / "orders.yaml"
    text = flow.read_text().replace("mappings:", f"owners: [{owners}]\nmappings:", 1)
    flow.write_text(text.replace("  - workflowName: la-orders\n", TWO_WORKFLOWS, 1))
    # `small` selects the three runs of the other workflow: under minRuns
    for name, workflow in ((REQUEST, "la-orders"), ("small", "la-small")):
        path = root / "requests.d" / f"{name}.yaml"
        path.write_text(
            path.read_text().replace("  status:", f"  workflows: [{workflow}]\n  status:")
        )
    config = root / "reconciler.yaml"
    config.write_text(config.read_text() + "approvals:\n  requests: {minRuns: 5}\n" + extra_config)


def records() -> list[str]:
    return [record_text(i) for i in range(6)] + [
        record_text(100 + i, workflow="la-small") for i in range(3)
    ]


def github_env(api_url: str) -> dict[str, str]:
    return {
        "ORDERS_API_KEY": API_KEY,
        "GITHUB_API_URL": api_url,
        "GITHUB_REPOSITORY": REPO_NAME,
        "GITHUB_SHA": SHA,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "4242",
    }


def cli(root: Path, store_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli("--store", store_url, "--repo", str(root), *args, env=env)


def everything_said(root: Path, store_url: str, *runs: subprocess.CompletedProcess[str]) -> str:
    history = cli(root, store_url, "history", "--format", "json")
    status = cli(root, store_url, "requests", "status", REQUEST, "--format", "json")
    said = "".join(r.stdout + r.stderr for r in (*runs, history, status))
    return said + Path(store_url.removeprefix("sqlite:///")).read_bytes().decode("latin-1")


def test_a_large_request_waits_for_an_owner_and_goes_once_approved(
    sqlite_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    data = approval_data(TOKEN, SHA, repo=REPO_NAME)  # alice approved, then asked for changes
    cert = ca.issue_cert("127.0.0.1")
    with Receiver(cert) as receiver, github_api(cert, data) as api_url:
        write_tree(tmp_path, ca_pem, receiver.url(), owners="'@alice'")
        seed_store_at(sqlite_url, tmp_path, records())
        env = github_env(api_url)
        waiting = cli(tmp_path, sqlite_url, "requests", "dispatch", **env)
        assert waiting.returncode == 0, waiting.stderr
        assert f"{REQUEST} (resubmit): awaiting_approval" in waiting.stdout
        assert "needs an approving review on the pull request that merged it (#7)" in waiting.stdout
        assert "from Order Processing: one of @alice" in waiting.stdout
        assert "small (resubmit): completed" in waiting.stdout  # 3 runs: under minRuns
        assert all(h.body.count(b"la-small") for h in receiver.hits)  # only small's runs
        as_json = cli(tmp_path, sqlite_url, "requests", "dispatch", "--format", "json", **env)
        [outcome] = [o for o in json.loads(as_json.stdout)["requests"] if o["name"] == REQUEST]
        assert outcome["status"] == "awaiting_approval"
        assert outcome["hold"]["missing"] == {"Order Processing": ["@alice"]}
        github = cli(tmp_path, sqlite_url, "requests", "dispatch", "--format", "github", **env)
        assert f"::warning file=requests.d/{REQUEST}.yaml,title=dispatch::request {REQUEST}: " in (
            github.stdout
        )
        # alice approves again: her latest deciding review now approves
        reviews = data.listings[f"/repos/{REPO_NAME}/pulls/7/reviews"]
        reviews.append(review("alice", "APPROVED", "2026-11-28T11:00:00Z"))
        approved = cli(tmp_path, sqlite_url, "requests", "dispatch", **env)
        assert approved.returncode == 0, approved.stderr
        assert f"{REQUEST} (resubmit): completed" in approved.stdout
        hits = receiver.hits
    assert sum(len(json.loads(h.body)) for h in hits) == 6 + 3
    detail = cli(tmp_path, sqlite_url, "requests", "status", REQUEST)
    assert "approved by Order Processing: alice" in detail.stdout
    history = json.loads(cli(tmp_path, sqlite_url, "history", "--format", "json").stdout)
    [approval] = [r for r in history["records"] if r["detail"]["event"] == "approve"]
    assert approval["detail"]["approvers"] == {"Order Processing": ["alice"]}
    assert TOKEN not in everything_said(tmp_path, sqlite_url, waiting, as_json, github, approved)


def test_a_team_owner_approves_and_an_api_failure_sends_nothing(
    sqlite_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    data = approval_data(TOKEN, SHA, repo=REPO_NAME)
    data.failing[f"/repos/{REPO_NAME}/pulls/7/reviews"] = 502
    cert = ca.issue_cert("127.0.0.1")
    with Receiver(cert) as receiver, github_api(cert, data) as api_url:
        write_tree(tmp_path, ca_pem, receiver.url(), owners="'@acme/billing'")
        seed_store_at(sqlite_url, tmp_path, records())
        env = github_env(api_url)
        failed = cli(tmp_path, sqlite_url, "requests", "dispatch", "--only", REQUEST, **env)
        assert failed.returncode == 1
        assert (
            "GitHub API: listing the reviews of pull request #7 failed: HTTP 502" in failed.stdout
        )
        assert receiver.hits == []  # never approved by default
        unset = {k: v for k, v in env.items() if k != "GITHUB_TOKEN"}
        missing = cli(tmp_path, sqlite_url, "requests", "dispatch", "--only", REQUEST, **unset)
        assert missing.returncode == 1
        assert "looking up owner approval needs GITHUB_TOKEN" in missing.stdout
        assert receiver.hits == []
        del data.failing[f"/repos/{REPO_NAME}/pulls/7/reviews"]
        approved = cli(tmp_path, sqlite_url, "requests", "dispatch", "--only", REQUEST, **env)
        assert approved.returncode == 0, approved.stdout
        assert f"{REQUEST} (resubmit): completed" in approved.stdout  # erin, of @acme/billing
        assert len(receiver.hits) == 3
    assert TOKEN not in everything_said(tmp_path, sqlite_url, failed, missing, approved)


def test_each_request_end_is_notified_and_a_dead_hook_changes_nothing(
    sqlite_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    notify = (
        "notify:\n"
        "  - {urlFrom: {env: JSON_HOOK}, on: [completed, awaiting_approval, refused], format: json}\n"
        "  - {urlFrom: {env: SLACK_HOOK}, on: [completed], format: slack}\n"
        "  - {urlFrom: {env: TEAMS_HOOK}, on: [awaiting_approval], format: teams}\n"
        "  - {urlFrom: {env: DEAD_HOOK}, on: [completed, awaiting_approval], format: json}\n"
    )
    data = approval_data(TOKEN, SHA, repo=REPO_NAME)
    cert = ca.issue_cert("127.0.0.1")
    with (
        Receiver(cert) as receiver,
        github_api(cert, data) as api_url,
        serving(cert) as json_hook,
        serving(cert) as slack_hook,
        serving(cert) as teams_hook,
    ):
        write_tree(tmp_path, ca_pem, receiver.url(), owners="'@alice'", extra_config=notify)
        seed_store_at(sqlite_url, tmp_path, records())
        env = {
            **github_env(api_url),
            "JSON_HOOK": json_hook.url(f"/hooks/{HOOK_SECRET}"),
            "SLACK_HOOK": slack_hook.url(f"/services/{HOOK_SECRET}"),
            "TEAMS_HOOK": teams_hook.url(f"/workflows/{HOOK_SECRET}?sig={HOOK_SECRET}"),
            "DEAD_HOOK": f"https://127.0.0.1:{dead}/{HOOK_SECRET}",
        }
        done = cli(tmp_path, sqlite_url, "requests", "dispatch", **env)
        again = cli(tmp_path, sqlite_url, "requests", "dispatch", **env)  # still waiting
        assert again.returncode == 0 and "awaiting_approval" in again.stdout
        json_events = [json.loads(r.body) for r in json_hook.requests]
        slack = [json.loads(r.body) for r in slack_hook.requests]
        teams = [json.loads(r.body) for r in teams_hook.requests]
    assert done.returncode == 0, done.stderr  # the dead hook neither fails nor blocks it
    assert len(json_events) == 2  # the second run told nothing new
    by_subject: dict[str, Any] = {e["subject"]: e for e in json_events}
    assert set(by_subject) == {f"request {REQUEST}", "request small"}
    small = by_subject["request small"]
    assert small["event"] == "completed"
    assert small["counts"] == {"runs selected": 3, "delivered": 3, "failed": 0}
    assert small["link"] == f"https://github.com/{REPO_NAME}/actions/runs/4242"
    waiting = by_subject[f"request {REQUEST}"]
    assert waiting["event"] == "awaiting_approval"
    assert "one of @alice" in waiting["reason"]
    [slack_event] = slack
    assert slack_event["text"].startswith("flow-reconciler: request small completed")
    [card] = teams
    blocks = card["attachments"][0]["content"]["body"]
    assert f"request {REQUEST} is waiting for approval" in blocks[0]["text"]
    assert "completed notification to notify[3] (env DEAD_HOOK): NOT sent (ConnectError" in (
        done.stderr
    )
    assert "completed notification to notify[1] (env SLACK_HOOK): sent (HTTP 200" in done.stderr
    said = everything_said(tmp_path, sqlite_url, done, again)
    assert HOOK_SECRET not in said and TOKEN not in said


ENDS = {  # request -> (its workflow, limits.maxRuns)
    "a-partial": ("la-orders", 100),
    "b-refused": ("la-orders", 2),
    "c-breaker": ("la-small", 100),
}


def test_failures_refusals_and_an_open_breaker_are_notified(
    sqlite_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    def script(hit: Hit) -> Reply:
        ids = [run["id"] for run in json.loads(hit.body)]
        if "run-000000" in ids:
            return Reply(400, body=b"bad order")
        if any(i.startswith("run-0001") for i in ids):  # la-small's endpoint is down
            return Reply(503, body=b"down")
        return Reply()

    cert = ca.issue_cert("127.0.0.1")
    with Receiver(cert, script) as receiver, serving(cert) as hook:
        write_base_tree(tmp_path, ca_pem=ca_pem, url=receiver.url(), batch_size=1, max_attempts=2)
        flow = tmp_path / "flows.d" / "orders.yaml"
        flow.write_text(flow.read_text().replace("  - workflowName: la-orders\n", TWO_WORKFLOWS))
        (tmp_path / "requests.d" / f"{REQUEST}.yaml").unlink()
        for name, (workflow, max_runs) in ENDS.items():
            (tmp_path / "requests.d" / f"{name}.yaml").write_text(
                "apiVersion: reconciler/v1\nkind: ResubmitRequest\n"
                f"name: {name}\nreason: INC-1234\naction: resubmit\nflows: [Order Processing]\n"
                f"select:\n  workflows: [{workflow}]\nlimits:\n  maxRuns: {max_runs}\n"
            )
        config = tmp_path / "reconciler.yaml"
        config.write_text(
            config.read_text() + "notify:\n  - {urlFrom: {env: HOOK}, format: json, on: "
            "[completed, completed_with_failures, failed, refused, breaker_open]}\n"
        )
        seed_store_at(sqlite_url, tmp_path, records())
        env = {
            "ORDERS_API_KEY": API_KEY,
            "HOOK": hook.url(f"/hooks/{HOOK_SECRET}"),
            "RECONCILER_DISPATCH_BASE_DELAY": "0.01",
            "RECONCILER_DISPATCH_BREAKER": "2",
        }
        done = cli(tmp_path, sqlite_url, "requests", "dispatch", **env)
        events = {json.loads(r.body)["subject"]: json.loads(r.body) for r in hook.requests}
    assert done.returncode == 1  # failures fail the dispatch, as before
    assert events["request a-partial"]["event"] == "completed_with_failures"
    assert events["request a-partial"]["counts"]["failed"] == 1
    assert events["request b-refused"]["event"] == "refused"
    assert "limits.maxRuns" in events["request b-refused"]["reason"]
    breaker = events["request c-breaker"]
    assert breaker["event"] == "breaker_open"
    assert "circuit breaker opened" in breaker["reason"]
    assert HOOK_SECRET not in everything_said(tmp_path, sqlite_url, done)
