"""The audit records the commit a change came from, and says when the working tree held
uncommitted changes to what the tool reads (`+dirty`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from reconciler.provenance import commit
from tests.conftest import run_cli
from tests.validate_helpers import FLOW


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def make_repo(root: Path) -> str:
    (root / "flows.d").mkdir()
    (root / "flows.d" / "orders.yaml").write_text(FLOW)
    git(root, "init", "-q")
    git(root, "add", "flows.d")
    git(root, "commit", "-q", "-m", "flows")
    return git(root, "rev-parse", "HEAD")


def test_a_clean_tree_is_recorded_at_its_commit_and_a_dirty_one_says_so(tmp_path: Path) -> None:
    sha = make_repo(tmp_path)
    assert commit(tmp_path) == sha
    (tmp_path / "README.md").write_text("not something the tool reads\n")
    assert commit(tmp_path) == sha
    edited = FLOW.replace("name: Orders", "name: Orders\ndescription: edited")
    (tmp_path / "flows.d" / "orders.yaml").write_text(edited)
    assert commit(tmp_path) == sha + "+dirty"
    git(tmp_path, "stash", "-q")
    (tmp_path / "requests.d").mkdir()
    (tmp_path / "requests.d" / "new.yaml").write_text("kind: ResubmitRequest\n")  # untracked
    assert commit(tmp_path) == sha + "+dirty"


def test_apply_of_uncommitted_edits_is_audited_as_dirty(tmp_path: Path) -> None:
    sha = make_repo(tmp_path)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    first = run_cli("--repo", str(tmp_path), "--store", store, "apply")
    assert first.returncode == 0, first.stderr
    assert f"at commit {sha[:12]};" in first.stdout
    edited = FLOW.replace("name: Orders", "name: Orders\ndescription: edited")
    (tmp_path / "flows.d" / "orders.yaml").write_text(edited)
    second = run_cli("--repo", str(tmp_path), "--store", store, "apply")
    assert second.returncode == 0, second.stderr
    assert f"at commit {sha[:12]}+dirty;" in second.stdout
    history = run_cli("--repo", str(tmp_path), "--store", store, "history", "--format", "json")
    commits = [r["commit"] for r in json.loads(history.stdout)["records"]]
    assert commits == [sha + "+dirty", sha]  # newest first
    text = run_cli("--repo", str(tmp_path), "--store", store, "history")
    assert f"@{sha[:12]}+dirty" in text.stdout
    status = run_cli("--repo", str(tmp_path), "--store", store, "status")
    assert f"at commit {sha[:12]}+dirty" in status.stdout


def test_history_as_markdown_for_a_step_summary(tmp_path: Path) -> None:
    sha = make_repo(tmp_path)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    assert run_cli("--repo", str(tmp_path), "--store", store, "apply").returncode == 0
    (tmp_path / "flows.d" / "orders.yaml").write_text(FLOW.replace("value: sales", "value: ops"))
    assert run_cli("--repo", str(tmp_path), "--store", store, "apply").returncode == 0
    done = run_cli("--repo", str(tmp_path), "--store", store, "history", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| 20")]
    assert len(rows) == 2
    assert '| update | flow "Orders" | ' in rows[0] and f"`{sha[:12]}+dirty`" in rows[0]
    assert "resubmit.headers[x-team].value" in rows[0]
    assert '| create | flow "Orders" | ' in rows[1] and f"`{sha[:12]}`" in rows[1]
