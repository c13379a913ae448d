"""A config repository driven through a pull request and a merge exactly as our workflows
drive it: the steps of .github/workflows/pr.yml and apply.yml, in order, through the
composite action's own script (tests/actions_runner.py), against a real store (SQLite and
PostgreSQL), a local HTTPS receiver in its own process and a stand-in GitHub API.

Checks the sticky PR comment, that the PR wrote nothing and sent nothing, the applied
store, and exactly which runs the merge dispatched."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from reconciler.reporters.pr import MARKER
from tests.actions_runner import Runner
from tests.conftest import REPO, run_cli
from tests.test_demo import RUNS, expected_run_ids
from tests.test_pr_report import FakeGitHub, github  # noqa: F401  (fixture)

API_KEY = "e2e-sentinel-api-key-7f3a9"
SIGNING_SECRET = "whsec_ZTJlLXNpZ25pbmcta2V5LTAxMjM0NTY3ODlhYmNkZWY="
WINDOW = ("2026-11-27T22:00:00Z", "2026-11-28T06:00:00Z")


def _demo_module() -> Any:
    spec = importlib.util.spec_from_file_location("demo", REPO / "examples" / "demo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("demo", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[tuple[int, Path, Path]]:
    demo = _demo_module()
    demo.DEMO_SIGNING_SECRET = SIGNING_SECRET
    work = tmp_path / "receiver"
    work.mkdir()
    proc, port, ca_pem, log = demo.start_receiver(work)
    try:
        yield port, ca_pem, log
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "Dev",
        "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "Dev",
        "GIT_COMMITTER_EMAIL": "dev@example.com",
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
    }
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


def flow(name: str, mapping: str, url: str | None, extra: str = "") -> str:
    text = f"apiVersion: reconciler/v1\nkind: Flow\nname: {name}\nmappings:\n  - {mapping}\n"
    if url:
        text += f"resubmit:\n  url: {url}\n"
    return text + extra


ORDERS_EXTRA = """  headers:
    - name: x-api-key
      valueFrom: {env: ORDERS_API_KEY}
dispatch:
  batchSize: 7
  signingSecretFrom: {env: ORDERS_SIGNING_SECRET}
owners: ["@org/sales"]
"""

REQUEST = f"""apiVersion: reconciler/v1
kind: ResubmitRequest
name: 2026-11-28-sap-outage
reason: SAP was down, INC-1234
action: resubmit
flows: [Order Processing]
select:
  status: [Error]
  executed:
    after: {WINDOW[0]}
    before: {WINDOW[1]}
"""


def received(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def make_config_repo(tmp_path: Path, base: str, ca_pem: Path, github_ca: trustme.CA) -> Path:
    """A config repo on `main` with two flows pointing at the receiver, and our workflows.
    Its CA bundle is the receiver's CA with the GitHub stand-in's appended (the API is
    called through the same guard)."""
    repo = tmp_path / "config-repo"
    (repo / "flows.d" / "Sales").mkdir(parents=True)
    (repo / "flows.d" / "Finance").mkdir()
    (repo / "ca.pem").write_bytes(ca_pem.read_bytes() + github_ca.cert_pem.bytes())
    (repo / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\n"
        "network:\n  allow: ['127.0.0.1/32']\n  caBundle: ca.pem\n"
    )
    (repo / "flows.d" / "Sales" / "orders.yaml").write_text(
        flow(
            "Order Processing",
            "workflowName: la-orders-sap",
            f"{base}/orders/resubmit",
            ORDERS_EXTRA,
        )
    )
    (repo / "flows.d" / "Finance" / "invoices.yaml").write_text(
        flow("Invoice Sync", "domain: Finance", f"{base}/invoices/resubmit")
    )
    shutil.copytree(REPO / ".github" / "workflows", repo / ".github" / "workflows")
    (repo / ".gitignore").write_text(".reconciler/\n")  # local store, cache, step outputs
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "initial flows")
    git(repo, "remote", "add", "origin", str(repo))  # checkout's fetch-depth 0 gives origin/*
    return repo


def make_job(
    tmp_path: Path, repo: Path, secrets: dict[str, str], gh_api: str
) -> Callable[[str, str, dict[str, Any], str], Runner]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}))

    def job(workflow: str, name: str, github_ctx: dict[str, Any], tag: str) -> Runner:
        runner = Runner(
            workdir=repo,
            tmp=tmp_path / f"runner-{tag}",
            github={"repository": "o/r", "token": "s3cr3t-token", **github_ctx},
            secrets=secrets,
            extra_env={"GITHUB_API_URL": gh_api, "GITHUB_EVENT_PATH": str(event)},
        )
        runner.run_job(REPO / ".github" / "workflows" / workflow, name)
        return runner

    return job


def pr_context(repo: Path) -> dict[str, Any]:
    head = git(repo, "rev-parse", "HEAD")
    return {
        "sha": head,
        "base_ref": "main",
        "event": {
            "pull_request": {"number": 7, "head": {"sha": head, "repo": {"full_name": "o/r"}}}
        },
    }


def test_pull_request_then_merge(
    tmp_path: Path,
    store_url: str,
    receiver: tuple[int, Path, Path],
    github: tuple[FakeGitHub, str],  # noqa: F811
    ca: trustme.CA,
) -> None:
    port, ca_pem, log = receiver
    gh_state, gh_api = github
    base = f"https://127.0.0.1:{port}"
    repo = make_config_repo(tmp_path, base, ca_pem, ca)
    secrets = {
        "RECONCILER_STORE": store_url,
        "ORDERS_API_KEY": API_KEY,
        "ORDERS_SIGNING_SECRET": SIGNING_SECRET,
    }

    job = make_job(tmp_path, repo, secrets, gh_api)

    # -- main as it is: the apply workflow has run; operators imported runs ------------
    first = job(
        "apply.yml",
        "apply",
        {"sha": git(repo, "rev-parse", "HEAD"), "ref": "refs/heads/main"},
        "main0",
    )
    assert [r.returncode for r in first.results] == [0] * len(first.results), first.results
    imported = run_cli("--store", store_url, "runs", "import", str(RUNS), cwd=repo)
    assert imported.returncode == 0, imported.stderr
    heads_before = len(received(log))

    # -- the pull request -----------------------------------------------------------
    git(repo, "checkout", "-q", "-b", "sap-outage")
    orders = repo / "flows.d" / "Sales" / "orders.yaml"
    orders.write_text(orders.read_text().replace("/orders/resubmit", "/orders/v2/resubmit"))
    (repo / "flows.d" / "HR").mkdir()
    (repo / "flows.d" / "HR" / "onboarding.yaml").write_text(
        flow("Employee Onboarding", "workflowName: la-hr-onboarding", f"{base}/hr/resubmit")
    )
    (repo / "requests.d").mkdir()
    (repo / "requests.d" / "2026-11-28-sap-outage.yaml").write_text(REQUEST)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "SAP outage: new endpoint, onboarding flow, resubmit request")
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "fetch", "-q", "origin")
    pr = job("pr.yml", "preview", pr_context(repo), "pr")
    by_id = {r.id: r for r in pr.results if r.id}
    assert [r.returncode for r in pr.results] == [0] * len(pr.results), [
        (r.name, r.returncode, r.stderr[-500:]) for r in pr.results
    ]
    assert by_id["validate"].outputs["exit-code"] == "0"
    assert by_id["plan"].outputs["exit-code"] == "2"
    assert by_id["check"].outputs["exit-code"] == "0"
    assert by_id["preview"].outputs["exit-code"] == "0"

    comments = [c for c in gh_state.comments if MARKER in c["body"]]
    assert len(comments) == 1
    comment = comments[0]["body"]
    assert len(comment) < 65_000
    assert "| Plan | 📝 changes pending |" in comment
    assert "| Validation | ✅ passed |" in comment and "| Endpoint checks | ✅ passed |" in comment
    assert "Employee Onboarding" in comment and "/orders/v2/resubmit" in comment
    assert "2026-11-28-sap-outage" in comment
    assert str(len(expected_run_ids(*WINDOW))) in comment
    assert f"`{head[:12]}`" in comment
    assert comment in pr.summary.read_text()

    # The PR wrote nothing and sent nothing: only HEADs, only for new or changed URLs.
    seen = received(log)[heads_before:]
    assert {e["method"] for e in seen} == {"HEAD"}
    assert {e["path"] for e in seen} == {"/orders/v2/resubmit", "/hr/resubmit"}
    still = run_cli("--store", store_url, "plan", "--detailed-exitcode", cwd=repo)
    assert still.returncode == 2

    # A second push updates the same comment in place.
    pr2 = job("pr.yml", "preview", pr.github, "pr2")
    assert all(r.returncode == 0 for r in pr2.results)
    assert len([c for c in gh_state.comments if MARKER in c["body"]]) == 1

    # -- the merge: the apply workflow -------------------------------------------------
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "sap-outage", "-m", "Merge pull request #7")
    merged = job(
        "apply.yml",
        "apply",
        {"sha": git(repo, "rev-parse", "HEAD"), "ref": "refs/heads/main"},
        "main1",
    )
    assert [r.returncode for r in merged.results] == [0] * len(merged.results), [
        (r.name, r.stderr[-800:]) for r in merged.results
    ]
    assert run_cli("--store", store_url, "plan", "--detailed-exitcode", cwd=repo).returncode == 0
    status = run_cli("--store", store_url, "status", "--format", "json", cwd=repo)
    assert status.returncode == 0
    assert "Employee Onboarding" in status.stdout or '"flows"' in status.stdout
    # The job's status page: an artifact, linked from the job summary.
    page = merged.tmp / "artifacts" / "status-page" / "status.html"
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and API_KEY not in html
    assert 'data-request="2026-11-28-sap-outage" data-request-state="completed"' in html
    assert 'data-flow="Employee Onboarding"' in html
    assert f"Status page: [status.html]({page.as_uri()})" in merged.summary.read_text()

    posts = [e for e in received(log) if e["method"] == "POST"]
    sent = [run for p in posts for run in p["runs"]]
    assert set(sent) == expected_run_ids(*WINDOW) and len(sent) == len(set(sent))
    assert {p["path"] for p in posts} == {"/orders/v2/resubmit"}  # applied before dispatch
    assert all(len(p["runs"]) <= 7 for p in posts)
    assert all(p["signatureValid"] for p in posts)
    assert len({p["idempotencyKey"] for p in posts}) == len(posts)
    key_hash = hashlib.sha256(API_KEY.encode()).hexdigest()[:12]
    assert all(p["secretHeaders"].get("x-api-key") == key_hash for p in posts)

    # Another push to main: nothing is applied twice, nothing is resent.
    again = job("apply.yml", "apply", merged.github, "main2")
    assert all(r.returncode == 0 for r in again.results)
    assert len([e for e in received(log) if e["method"] == "POST"]) == len(posts)

    for runner in (first, pr, pr2, merged, again):
        for result in runner.results:
            assert API_KEY not in result.stdout + result.stderr
    assert API_KEY not in comment


def test_a_broken_pull_request_gets_annotations_a_red_comment_and_changes_nothing(
    tmp_path: Path,
    sqlite_url: str,
    receiver: tuple[int, Path, Path],
    github: tuple[FakeGitHub, str],  # noqa: F811
    ca: trustme.CA,
) -> None:
    port, ca_pem, log = receiver
    gh_state, gh_api = github
    repo = make_config_repo(tmp_path, f"https://127.0.0.1:{port}", ca_pem, ca)
    job = make_job(tmp_path, repo, {"RECONCILER_STORE": sqlite_url}, gh_api)
    main = job("apply.yml", "apply", {"sha": git(repo, "rev-parse", "HEAD")}, "main")
    assert all(r.returncode == 0 for r in main.results)

    git(repo, "checkout", "-q", "-b", "broken")
    invoices = repo / "flows.d" / "Finance" / "invoices.yaml"
    invoices.write_text(invoices.read_text().replace("https://127.0.0.1", "http://127.0.0.1"))
    git(repo, "commit", "-qam", "plain http")
    git(repo, "fetch", "-q", "origin")
    pr = job("pr.yml", "preview", pr_context(repo), "pr")

    by_id = {r.id: r for r in pr.results if r.id}
    assert by_id["validate"].outputs["exit-code"] == "1"
    annotations = [
        line for line in by_id["validate"].stdout.splitlines() if line.startswith("::error ")
    ]
    assert annotations and "file=flows.d/Finance/invoices.yaml,line=" in annotations[0]
    assert by_id["plan"].outputs["exit-code"] == "1"  # plan refuses a broken tree
    verdict = pr.results[-1]
    assert verdict.name == "Verdict" and verdict.returncode == 1
    assert "::error::validation failed (exit 1)" in verdict.stdout

    comment = next(c["body"] for c in gh_state.comments if MARKER in c["body"])
    assert "| Validation | ❌ failed |" in comment and "| Plan | ❌ failed |" in comment
    assert "flows.d/Finance/invoices.yaml" in comment
    # Nothing was applied or dispatched: the store still has the https URL.
    plan = run_cli("--store", sqlite_url, "plan", "--detailed-exitcode", cwd=repo)
    assert plan.returncode == 1
    git(repo, "checkout", "-q", "main")
    assert run_cli("--store", sqlite_url, "plan", "--detailed-exitcode", cwd=repo).returncode == 0
    assert not [e for e in received(log) if e["method"] == "POST"]
