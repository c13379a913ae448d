"""`reconciler check` end to end: the real CLI in a subprocess against real HTTPS servers."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from reconciler.store.base import open_store
from reconciler.store.checks import latest_checks
from tests.conftest import run_cli
from tests.https_servers import HTTPSServer, Route


@pytest.fixture(scope="module")
def server(ca: trustme.CA) -> Iterator[HTTPSServer]:
    routes = {"/gone": Route(404), "/moved": Route(302, (("Location", "/elsewhere"),))}
    with HTTPSServer(ca.issue_cert("127.0.0.1", "localhost"), routes=routes) as srv:
        yield srv


def write_flow(root: Path, name: str, resubmit: str | None, resume: str | None = None) -> Path:
    path = root / "flows.d" / f"{name.lower().replace(' ', '-')}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f"apiVersion: reconciler/v1\nkind: Flow\nname: {name}\nmappings:\n"
    text += f"  - workflowName: la-{name.lower().replace(' ', '-')}\n"
    if resubmit:
        text += f"resubmit:\n  url: {resubmit}\n"
    if resume:
        text += f"resume:\n  url: {resume}\n"
    path.write_text(text)
    return path


def make_repo(root: Path, ca: trustme.CA, allow: list[str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    ca.cert_pem.write_to_path(str(root / "ca.pem"))
    lines = ["apiVersion: reconciler/v1", "kind: Config", "network:", "  caBundle: ca.pem"]
    if allow is not None:
        lines.append(f"  allow: {json.dumps(allow)}")
    (root / "reconciler.yaml").write_text("\n".join(lines) + "\n")
    return root


def check(root: Path, *args: str, store: str | None = None) -> subprocess.CompletedProcess[str]:
    store_args = ("--store", store) if store else ()
    return run_cli(*store_args, "--repo", str(root), "check", *args, timeout=60)


def test_ten_flows_sharing_one_url_cause_one_check_and_the_result_is_stored(
    tmp_path: Path, ca: trustme.CA, server: HTTPSServer, store_url: str
) -> None:
    repo = make_repo(tmp_path / "repo", ca, allow=["127.0.0.1/32"])
    url = server.url("/shared/resubmit")
    for i in range(10):
        write_flow(repo, f"Flow {i}", url)
    before = len(server.requests)
    done = check(repo, "--format", "json", store=store_url)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["formatVersion"] == 1 and report["kind"] == "check" and report["ok"]
    [result] = report["results"]
    assert result["url"] == url and result["httpStatus"] == 200 and result["reachable"]
    assert sorted(u["flow"] for u in result["usedBy"]) == [f"Flow {i}" for i in range(10)]
    assert all(u["line"] == 7 and u["col"] == 8 for u in result["usedBy"])
    assert [(r.method, r.path) for r in server.requests[before:]] == [("HEAD", "/shared/resubmit")]
    store = open_store(store_url)
    try:
        stored = latest_checks(store)
    finally:
        store.close()
    assert list(stored) == [url]
    assert stored[url].reachable and stored[url].http_status == 200
    assert len(stored[url].uses) == 10


def test_unreachable_urls_fail_with_annotations_at_the_url(
    tmp_path: Path, ca: trustme.CA, server: HTTPSServer
) -> None:
    repo = make_repo(tmp_path, ca, allow=["127.0.0.1/32"])
    write_flow(repo, "Good", server.url("/ok"), resume=server.url("/moved"))
    write_flow(repo, "Bad", "https://no-such-endpoint.invalid/resubmit")
    done = check(repo, "--format", "github")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert (
        "::error file=flows.d/bad.yaml,line=7,col=8,title=Endpoint unreachable::"
        "https://no-such-endpoint.invalid/resubmit: DNS failure: cannot resolve "
        "no-such-endpoint.invalid"
    ) in lines
    assert any(
        line.startswith("::warning file=flows.d/good.yaml,line=9,col=8,title=Endpoint warning::")
        and "dispatch does not follow redirects" in line
        for line in lines
    )
    assert lines[-1] == ("3 URLs used by 2 flows: 2 reachable, 1 unreachable, 1 with warnings.")
    text = check(repo)
    assert text.returncode == 1
    assert "FAIL   https://no-such-endpoint.invalid/resubmit" in text.stdout
    markdown = check(repo, "--format", "markdown")
    assert markdown.stdout.startswith("### Endpoint check\n\n**1 unreachable endpoint.**")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
def test_ssrf_refused_without_allowlist_and_never_connected(
    tmp_path: Path, ca: trustme.CA, host: str
) -> None:
    repo = make_repo(tmp_path, ca)
    with HTTPSServer(ca.issue_cert("127.0.0.1", "localhost")) as listener:
        write_flow(repo, "Internal", f"https://{host}:{listener.port}/resubmit")
        write_flow(repo, "Metadata", "https://169.254.169.254/latest/meta-data/")
        write_flow(repo, "Private", "https://10.0.0.1/resubmit")
        done = check(repo, "--format", "json", "--timeout", "2")
        assert listener.connections == 0
    assert done.returncode == 1
    results = {r["url"]: r for r in json.loads(done.stdout)["results"]}
    assert {r["outcome"] for r in results.values()} == {"refused_by_policy"}
    assert results["https://169.254.169.254/latest/meta-data/"]["reason"] == (
        "refused by network policy: 169.254.169.254 is link-local (cloud metadata service); "
        "allow it in reconciler.yaml network.allow"
    )
    assert results["https://10.0.0.1/resubmit"]["reason"].startswith(
        "refused by network policy: 10.0.0.1 is private"
    )


def test_allowlisted_loopback_is_checked(tmp_path: Path, ca: trustme.CA) -> None:
    repo = make_repo(tmp_path, ca, allow=["localhost"])
    with HTTPSServer(ca.issue_cert("localhost")) as srv:
        write_flow(repo, "Local", srv.url("/r", host="localhost"))
        done = check(repo, "--format", "json")
        assert done.returncode == 0, done.stdout + done.stderr
        assert [r.method for r in srv.requests] == ["HEAD"]


def test_changed_only_against_the_store(
    tmp_path: Path, ca: trustme.CA, server: HTTPSServer, sqlite_url: str
) -> None:
    repo = make_repo(tmp_path, ca, allow=["127.0.0.1/32"])
    write_flow(repo, "Same", server.url("/same"))
    write_flow(repo, "Moved", server.url("/new-url"))
    write_flow(repo, "Fresh", None, resume=server.url("/fresh"))
    store = open_store(sqlite_url)
    try:  # the store's view: what the last apply wrote
        with store.transaction():
            for name, spec in [
                ("Same", {"resubmit": {"url": server.url("/same")}}),
                ("Moved", {"resubmit": {"url": server.url("/old-url")}}),
            ]:
                store.execute(
                    "INSERT INTO flows (name, spec, updated_at) VALUES (?, ?, 'now')",
                    (name, json.dumps(spec)),
                )
    finally:
        store.close()
    before = len(server.requests)
    done = check(repo, "--changed-only", "--format", "json", store=sqlite_url)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert sorted(r["url"] for r in report["results"]) == sorted(
        [server.url("/fresh"), server.url("/new-url")]
    )
    assert report["summary"]["unchanged"] == 1
    assert sorted(r.path for r in server.requests[before:]) == ["/fresh", "/new-url"]


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
    )


def test_changed_only_against_a_git_base(
    tmp_path: Path, ca: trustme.CA, server: HTTPSServer
) -> None:
    repo = make_repo(tmp_path, ca, allow=["127.0.0.1/32"])
    write_flow(repo, "Kept", server.url("/kept"))
    write_flow(repo, "Changed", server.url("/v1"))
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    write_flow(repo, "Changed", server.url("/v2"))
    write_flow(repo, "Added", "https://added.invalid/x")
    done = check(repo, "--base", "HEAD", "--format", "json")
    assert done.returncode == 1  # the added URL does not resolve
    report = json.loads(done.stdout)
    assert report["scope"] == "changed since HEAD"
    assert sorted(r["url"] for r in report["results"]) == sorted(
        ["https://added.invalid/x", server.url("/v2")]
    )
    bad = check(repo, "--base", "no-such-ref")
    assert bad.returncode == 64
    assert "git rev-parse failed" in bad.stderr and "Traceback" not in bad.stderr


def test_configuration_errors_are_one_line(tmp_path: Path, ca: trustme.CA) -> None:
    repo = make_repo(tmp_path, ca)
    write_flow(repo, "X", "https://x.invalid/")
    done = check(repo, "--ca-bundle", str(tmp_path / "missing.pem"))
    assert done.returncode == 1
    assert done.stderr.startswith("error: CA bundle ") and "does not exist" in done.stderr
    (repo / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\nnetwork:\n  allow: ['https://x']\n"
    )
    done = check(repo)
    assert done.returncode == 1
    assert "network.allow[0] 'https://x'" in done.stderr
    assert "Traceback" not in done.stderr


def test_no_flows_means_nothing_to_check(tmp_path: Path, ca: trustme.CA) -> None:
    repo = make_repo(tmp_path, ca)
    done = check(repo)
    assert done.returncode == 0
    assert (
        done.stdout.strip()
        == "0 URLs used by 0 flows: 0 reachable, 0 unreachable, 0 with warnings."
    )


def test_a_tree_with_an_invalid_file_is_checked_the_error_located_and_the_run_fails(
    tmp_path: Path, ca: trustme.CA, server: HTTPSServer
) -> None:
    repo = make_repo(tmp_path, ca, allow=["127.0.0.1/32"])
    write_flow(repo, "Good", server.url("/ok"))
    bad = write_flow(repo, "Broken", server.url("/broken"))
    bad.write_text(bad.read_text() + "retries: 3\n")  # an unknown key at line 8
    done = check(repo, "--format", "json")
    assert done.returncode == 1, done.stderr  # the broken flow's URL went unchecked
    report = json.loads(done.stdout)
    assert [r["url"] for r in report["results"]] == [server.url("/ok")]  # what loaded
    notes = report["notes"]
    assert notes[0].startswith("note: 1 validation error in the tree")
    assert notes[1].startswith("  flows.d/broken.yaml:8:1: ") and "retries" in notes[1]
    text = check(repo)
    assert "flows.d/broken.yaml:8:1:" in text.stdout


def test_check_fails_when_the_only_flow_is_invalid(tmp_path: Path, ca: trustme.CA) -> None:
    repo = make_repo(tmp_path, ca)
    bad = write_flow(repo, "Broken", "https://127.0.0.1:9/x")
    bad.write_text(bad.read_text() + "retries: 3\n")
    done = check(repo)
    assert done.returncode == 1, done.stdout
    assert "2 validation errors in the tree; checked the flows that loaded" in done.stdout
    assert "flows.d/broken.yaml:8:1:" in done.stdout


def test_cached_and_changed_files_give_the_same_report(
    tmp_path: Path, ca: trustme.CA, server: HTTPSServer
) -> None:
    # Checks start with cached files and the rest follow: the report must not depend on it.
    repo = make_repo(tmp_path, ca, allow=["127.0.0.1/32"])
    for i in range(6):
        write_flow(repo, f"Flow {i}", server.url(f"/f{i % 3}"), resume=server.url("/shared"))
    first = json.loads(check(repo, "--format", "json").stdout)
    assert [r["url"] for r in first["results"]] == [
        server.url(p) for p in ("/f0", "/f1", "/f2", "/shared")
    ]
    write_flow(repo, "Flow 4", server.url("/changed"))  # one file not in the cache
    second = json.loads(check(repo, "--format", "json").stdout)
    assert [r["url"] for r in second["results"]] == [
        server.url(p) for p in ("/changed", "/f0", "/f1", "/f2", "/shared")
    ]
    assert second["summary"]["urls"] == 5 and second["summary"]["flows"] == 6
    shared = next(r for r in second["results"] if r["url"] == server.url("/shared"))
    assert sorted(u["flow"] for u in shared["usedBy"]) == [f"Flow {i}" for i in range(6) if i != 4]
