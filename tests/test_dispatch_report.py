"""What `reconciler requests dispatch` tells an operator beyond "12/12 runs delivered":
which batches needed retries and why, every missing secret at once, and who sent what
(actor and commit on every history line of a dispatch)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import trustme

from tests.conftest import run_cli
from tests.dispatch_support import (
    API_KEY,
    SIGNING_SECRET,
    Hit,
    Receiver,
    Reply,
    record_text,
    seed_store_at,
    write_tree,
)

REQUEST = "2026-11-28-sap-outage"
FAST = {
    "ORDERS_API_KEY": API_KEY,
    "ORDERS_SIGNING_SECRET": SIGNING_SECRET,
    "RECONCILER_DISPATCH_BASE_DELAY": "0.01",
    "RECONCILER_DISPATCH_MAX_DELAY": "0.05",
    "RECONCILER_DISPATCH_RETRY_AFTER_CAP": "0.05",  # the loop waits less than it is told
}


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_pem(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def cli(root: Path, store_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli("--store", store_url, "--repo", str(root), *args, env={**FAST, **env})


def busy_then_fine(hit: Hit) -> Reply:
    """Batch #0 is answered 429 (Retry-After 2) twice, batch #1 503 once; then all is well."""
    first = json.loads(hit.body)[0]["id"]
    if first == "run-000000" and hit.attempt <= 2:
        return Reply(429, headers=(("Retry-After", "2"),))
    if first == "run-000010" and hit.attempt == 1:
        return Reply(503)
    return Reply()


def test_dispatch_says_which_batches_needed_retries_and_why(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with Receiver(ca.issue_cert("127.0.0.1"), busy_then_fine) as receiver:
        write_tree(tmp_path, ca_pem=ca_pem, url=receiver.url(), concurrency=1)
        seed_store_at(store_url, tmp_path, [record_text(i) for i in range(30)])
        done = cli(tmp_path, store_url, "requests", "dispatch")
        assert done.returncode == 0, done.stdout + done.stderr
        assert len(receiver.hits) == 3 + 3  # three batches, three retried attempts
    lines = done.stdout.splitlines()
    assert "  30/30 runs delivered in 3 batches" in lines
    assert "  2 batches needed 3 retries: 2 x HTTP 429 (Retry-After 2 s), 1 x HTTP 503" in lines, (
        done.stdout
    )


def test_retries_in_json_github_and_markdown(tmp_path: Path, ca: trustme.CA, ca_pem: Path) -> None:
    outputs = {}
    for fmt in ("json", "github", "markdown"):
        root = tmp_path / fmt
        store_url = f"sqlite:///{root / 'store.db'}"
        with Receiver(ca.issue_cert("127.0.0.1"), busy_then_fine) as receiver:
            write_tree(root, ca_pem=ca_pem, url=receiver.url(), concurrency=1)
            seed_store_at(store_url, root, [record_text(i) for i in range(30)])
            done = cli(root, store_url, "requests", "dispatch", "--format", fmt)
            assert done.returncode == 0, done.stdout + done.stderr
        outputs[fmt] = done.stdout
    [request] = json.loads(outputs["json"])["requests"]
    assert request["retries"] == {
        "batches": 2,
        "attempts": 3,
        "causes": [
            {"cause": "HTTP 429", "attempts": 2, "retryAfterSeconds": [2.0]},
            {"cause": "HTTP 503", "attempts": 1, "retryAfterSeconds": []},
        ],
    }
    notice = (
        f"::notice file=requests.d/{REQUEST}.yaml,title=retries::request {REQUEST}: "
        "2 batches needed 3 retries: 2 x HTTP 429 (Retry-After 2 s), 1 x HTTP 503"
    )
    assert notice in outputs["github"].splitlines(), outputs["github"]
    assert (
        "| 30/30 runs delivered in 3 batches | 2 batches needed 3 retries: 2 x HTTP 429 "
        "(Retry-After 2 s), 1 x HTTP 503 |" in outputs["markdown"]
    ), outputs["markdown"]


def test_a_dispatch_without_retries_says_nothing_of_them(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        write_tree(tmp_path, ca_pem=ca_pem, url=receiver.url())
        seed_store_at(store_url, tmp_path, [record_text(0)])
        done = cli(tmp_path, store_url, "requests", "dispatch")
        assert done.returncode == 0, done.stdout + done.stderr
    assert "  1/1 run delivered in 1 batch" in done.stdout.splitlines(), done.stdout
    assert "retr" not in done.stdout
    as_json = cli(tmp_path, store_url, "requests", "status", REQUEST, "--format", "json")
    assert json.loads(as_json.stdout)["batchList"][0]["runs"] == 1
    # one of anything is said in the singular, in every listing
    listed = cli(tmp_path, store_url, "requests", "status")
    assert f"{REQUEST}  resubmit  completed  1/1 run delivered  [1 delivered]" in listed.stdout
    runs = cli(tmp_path, store_url, "runs", "list")
    assert "1 run matches (Failed 1); showing 1-1" in runs.stdout, runs.stdout
    history = cli(tmp_path, store_url, "history").stdout
    for note in (
        "# selection frozen: 1 run in 1 batch",
        "# batch Order Processing#0 delivered after 1 attempt",
        "# dispatch completed: 1 run delivered, 0 failed",
    ):
        assert f"    {note}" in history.splitlines(), history
    overview = cli(tmp_path, store_url, "status")
    assert "1/1 run delivered, 0 failed, 0 pending; 1 attempt" in overview.stdout, overview.stdout


def test_every_missing_secret_is_named_at_once(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        write_tree(tmp_path, ca_pem=ca_pem, url=receiver.url(), signing=True)
        seed_store_at(store_url, tmp_path, [record_text(i) for i in range(5)])
        done = cli(
            tmp_path, store_url, "requests", "dispatch", ORDERS_API_KEY="", ORDERS_SIGNING_SECRET=""
        )
        assert done.returncode == 1
        assert receiver.hits == []
    assert (
        "error: environment variables are missing: ORDERS_API_KEY (empty): header x-api-key "
        "of flow Order Processing; ORDERS_SIGNING_SECRET (empty): signing secret of flow "
        "Order Processing" in done.stdout
    ), done.stdout


def test_requests_status_as_markdown_and_github_annotations(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    def refuse_the_last(hit: Hit) -> Reply:
        first = json.loads(hit.body)[0]["id"]
        return Reply(401, body=b"bad key | try again") if first == "run-000010" else Reply()

    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with Receiver(ca.issue_cert("127.0.0.1"), refuse_the_last) as receiver:
        write_tree(tmp_path, ca_pem=ca_pem, url=receiver.url())
        seed_store_at(store_url, tmp_path, [record_text(i) for i in range(11)])
        done = cli(tmp_path, store_url, "requests", "dispatch")
        assert done.returncode == 1, done.stdout + done.stderr

    listed = cli(tmp_path, store_url, "requests", "status", "--format", "markdown")
    assert listed.returncode == 0, listed.stderr
    assert (
        f"| `{REQUEST}` | resubmit | **completed_with_failures** | 10/11 runs delivered | "
        "1 delivered, 1 failed |" in listed.stdout
    ), listed.stdout
    detail = cli(tmp_path, store_url, "requests", "status", REQUEST, "--format", "markdown")
    assert detail.returncode == 0, detail.stderr
    lines = detail.stdout.splitlines()
    assert lines[0] == f"### Request `{REQUEST}` (resubmit): **completed_with_failures**"
    assert "| Order Processing#0 | delivered | 10 | 1 | 200 |  |" in lines, detail.stdout
    assert (
        "| Order Processing#1 | failed | 1 | 1 | 401 | HTTP 401 Unauthorized: bad key \\| try again |"
        in lines
    ), detail.stdout

    for args in ((), (REQUEST,)):
        github = cli(tmp_path, store_url, "requests", "status", *args, "--format", "github")
        assert github.returncode == 0, github.stderr
        assert github.stdout.startswith(
            f"::error file=requests.d/{REQUEST}.yaml,title=requests status::request {REQUEST}: "
            "completed_with_failures"
        ), github.stdout
    text = cli(tmp_path, store_url, "requests", "status", REQUEST)
    assert "  Order Processing#1: failed, 1 run, 1 attempt HTTP 401" in text.stdout, text.stdout
