"""The sticky PR comment: assembly, the 65,000-character limit, and create-then-update
against a local stand-in for the GitHub REST API (the same calls GitHub answers)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import trustme

from reconciler.reporters.common import MARKDOWN_LIMIT
from reconciler.reporters.pr import MARKER, Section, render_pr_comment
from tests.conftest import run_cli
from tests.https_servers import server_context


def big_plan(flows: int) -> str:
    lines = ["### Plan: " + f"{flows} to update", "", "```diff"]
    for i in range(flows):
        lines += [
            f"~ flow Sales/EU/flow-{i:05d} (flows.d/Sales/EU/flow-{i:05d}.yaml)",
            f"-   resubmit.url: https://old.example.com/orders/{i}/resubmit",
            f"+   resubmit.url: https://new.example.com/orders/{i}/resubmit",
            "    resubmit.headers[0].valueFrom.env: ORDERS_API_KEY",
        ]
    lines.append("```")
    return "\n".join(lines)


def test_every_step_gets_an_honest_verdict() -> None:
    text = render_pr_comment(
        [
            Section("validate", "All 12 files valid.", 0),
            Section("check", None, None),
            Section("plan", "2 to create", 2),
            Section("requests", None, 70, stderr="internal error: Boom\nhint: rerun with --debug"),
        ],
        commit="0123456789abcdef",
    )
    assert text.startswith(MARKER + "\n")
    assert "| Validation | ✅ passed |" in text
    assert "| Endpoint checks | ⏭️ not run |" in text and "_This step did not run._" in text
    assert "| Plan | 📝 changes pending |" in text
    assert "| Request previews | ❌ error (exit 70) |" in text
    assert "internal error: Boom" in text  # a failed step quotes its stderr
    assert "`0123456789ab`" in text


def test_comment_for_2000_changed_flows_stays_under_the_limit() -> None:
    plan = big_plan(2000)
    assert len(plan) > 5 * MARKDOWN_LIMIT
    requests = "### Requests\n\n" + "| request | runs |\n|---|---|\n" + "| r | 5 |\n" * 50
    text = render_pr_comment(
        [
            Section("validate", "All 2000 files valid.", 0),
            Section("plan", plan, 2),
            Section("requests", requests, 0),
        ]
    )
    assert len(text) < 65_000
    assert "**Truncated:**" in text
    assert "flow-00000" in text  # the start of the plan is kept
    assert requests.strip() in text  # small sections are not sacrificed for the big one
    fences = [line for line in text.splitlines() if line.startswith("```")]
    assert len(fences) % 2 == 0  # the cut closed the code block
    assert text.count("<details") == text.count("</details>")


def test_cli_reads_step_outputs_and_stderr(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "plan.md").write_text("### Plan\n\n1 to create\n")
    (tmp_path / "out" / "check.md").write_text("")
    (tmp_path / "out" / "check.md.stderr").write_text("error: https://x.example: DNS failure\n")
    result = run_cli(
        "report",
        "pr",
        "--section",
        "plan=out/plan.md",
        "--exit",
        "plan=2",
        "--section",
        "check=out/check.md",
        "--exit",
        "check=1",
        "--section",
        "requests=out/missing.md",
        "--exit",
        "requests=",
        "--out",
        "out/comment.md",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "out" / "comment.md").read_text()
    assert "| Endpoint checks | ❌ failed |" in text and "DNS failure" in text
    assert "| Request previews | ⏭️ not run |" in text
    assert "1 to create" in text
    bad = run_cli("report", "pr", "--section", "nope=x.md", cwd=tmp_path)
    assert bad.returncode == 64 and "KEY one of validate, check, plan, requests" in bad.stderr


class FakeGitHub:
    """Issue comments of one PR, served like api.github.com (paginated with Link)."""

    def __init__(self, others: int) -> None:
        self.comments: list[dict[str, Any]] = [
            {"id": i + 1, "body": f"comment {i}", "html_url": f"https://gh/c/{i + 1}"}
            for i in range(others)
        ]
        self.calls: list[tuple[str, str, str | None]] = []


@pytest.fixture
def github(ca: trustme.CA) -> Iterator[tuple[FakeGitHub, str]]:
    state = FakeGitHub(others=130)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, code: int, payload: object, link: str | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if link:
                self.send_header("Link", link)
            self.end_headers()
            self.wfile.write(data)

        def _auth_ok(self) -> bool:
            state.calls.append((self.command, self.path, self.headers.get("Authorization")))
            if self.headers.get("Authorization") != "Bearer s3cr3t-token":
                self._send(401, {"message": "Bad credentials"})
                return False
            return True

        def do_GET(self) -> None:
            if not self._auth_ok():
                return
            query = parse_qs(urlsplit(self.path).query)
            page = int(query.get("page", ["1"])[0])
            chunk = state.comments[(page - 1) * 100 : page * 100]
            more = len(state.comments) > page * 100
            host = f"https://127.0.0.1:{self.server.server_address[1]}"
            link = f'<{host}/repos/o/r/issues/7/comments?per_page=100&page={page + 1}>; rel="next"'
            self._send(200, chunk, link if more else None)

        def do_POST(self) -> None:
            if not self._auth_ok():
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["body"]
            new = {"id": 1000 + len(state.comments), "body": body, "html_url": "https://gh/new"}
            state.comments.append(new)
            self._send(201, new)

        def do_PATCH(self) -> None:
            if not self._auth_ok():
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["body"]
            comment_id = int(self.path.rsplit("/", 1)[1])
            for comment in state.comments:
                if comment["id"] == comment_id:
                    comment["body"] = body
                    self._send(200, comment)
                    return
            self._send(404, {"message": "Not Found"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = server_context(ca.issue_cert("127.0.0.1")).wrap_socket(
        server.socket, server_side=True
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_sticky_comment_is_created_once_then_updated_in_place(
    tmp_path: Path, github: tuple[FakeGitHub, str], ca_pem: Path
) -> None:
    """Through the SSRF guard like every outbound request: the stand-in's address and CA
    are allowed in reconciler.yaml, as a GitHub Enterprise Server's would be."""
    state, api = github
    (tmp_path / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\n"
        f"network:\n  allow: ['127.0.0.1']\n  caBundle: {ca_pem}\n"
    )
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}))
    env = {
        "GITHUB_API_URL": api,
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_TOKEN": "s3cr3t-token",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
    }
    (tmp_path / "plan.md").write_text("first plan")
    args = ["report", "pr", "--section", "plan=plan.md", "--exit", "plan=2", "--comment"]
    first = run_cli(*args, "--step-summary", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert "PR comment created" in first.stderr
    (tmp_path / "plan.md").write_text("second plan")
    second = run_cli(*args, cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stderr
    assert "PR comment updated" in second.stderr

    ours = [c for c in state.comments if MARKER in c["body"]]
    assert len(ours) == 1 and "second plan" in ours[0]["body"]
    assert len(state.comments) == 131  # 130 others + ours, nobody else's touched
    assert "first plan" in (tmp_path / "summary.md").read_text()
    # The second run paged through both pages to find the marker, then patched it.
    assert [c[0] for c in state.calls[-3:]] == ["GET", "GET", "PATCH"]
    for output in (first.stdout, first.stderr, second.stdout, second.stderr):
        assert "s3cr3t-token" not in output

    env["GITHUB_TOKEN"] = "wrong"
    denied = run_cli(*args, cwd=tmp_path, env=env)
    assert denied.returncode == 1
    assert "HTTP 401 Bad credentials" in denied.stderr and "pull-requests: write" in denied.stderr
    assert "Traceback" not in denied.stderr

    # Without the allowance the API's address is refused like any configured endpoint's.
    (tmp_path / "reconciler.yaml").write_text(
        f"apiVersion: reconciler/v1\nkind: Config\nnetwork:\n  caBundle: {ca_pem}\n"
    )
    calls = len(state.calls)
    refused = run_cli(*args, cwd=tmp_path, env={**env, "GITHUB_TOKEN": "s3cr3t-token"})
    assert refused.returncode == 1
    assert "refused by network policy: 127.0.0.1 is loopback" in refused.stderr
    assert "network.allow" in refused.stderr and len(state.calls) == calls


def flow_yaml(name: str, workflow: str, url: str) -> str:
    return (
        f"apiVersion: reconciler/v1\nkind: Flow\nname: {name}\n"
        f"mappings:\n  - workflowName: {workflow}\nresubmit:\n  url: {url}\n"
    )


def test_pr_comment_for_2000_changed_flows_from_the_real_plan(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    store = f"sqlite:///{tmp_path / 'store.db'}"

    def write_all(version: str) -> None:
        for i in range(2000):
            path = repo / "flows.d" / f"team-{i % 20:02d}" / f"flow-{i:04d}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                flow_yaml(
                    f"Flow {i:04d}",
                    f"la-flow-{i:04d}",
                    f"https://integration.example.com/{version}/flows/{i:04d}/resubmit",
                )
            )

    write_all("v1")
    applied = run_cli("--store", store, "apply", cwd=repo, timeout=300)
    assert applied.returncode == 0, applied.stderr
    write_all("v2")
    out = tmp_path / "out"
    out.mkdir()
    plan = run_cli(
        "--store", store, "plan", "--detailed-exitcode", "--format", "markdown", cwd=repo
    )
    assert plan.returncode == 2, plan.stderr
    (out / "plan.md").write_text(plan.stdout)
    report = run_cli(
        "report",
        "pr",
        "--section",
        f"plan={out / 'plan.md'}",
        "--exit",
        "plan=2",
        "--out",
        str(out / "comment.md"),
        cwd=repo,
    )
    assert report.returncode == 0, report.stderr
    comment = (out / "comment.md").read_text()
    assert len(comment) < 65_000
    assert "| Plan | 📝 changes pending |" in comment
    assert "2000" in comment  # the plan's own count survives any cut
    assert "Flow 0000" in comment
    assert comment.count("<details") == comment.count("</details>")
