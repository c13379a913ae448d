"""The tool's `.reconciler/` folder inside a config repository is never committed: the
folder ignores itself, so `git add -A` and a pre-commit hook that refreshes the validation
cache leave Git alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import REPO, run_cli
from tests.flowfiles import write_flow

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ops",
    "GIT_AUTHOR_EMAIL": "ops@example.com",
    "GIT_COMMITTER_NAME": "Ops",
    "GIT_COMMITTER_EMAIL": "ops@example.com",
}


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV, **(env or {})},
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def config_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "config"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write_flow(repo, "Orders")
    return repo


def test_validate_and_apply_create_a_state_folder_that_ignores_itself(tmp_path: Path) -> None:
    repo = config_repo(tmp_path)
    done = run_cli("validate", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert (repo / ".reconciler" / ".gitignore").read_text().splitlines()[-1] == "*"
    done = run_cli("apply", cwd=repo, env={"ORDERS_API_KEY": "k"})
    assert done.returncode == 0, done.stderr
    assert (repo / ".reconciler" / "store.db").is_file()

    git(repo, "add", "-A")
    staged = git(repo, "diff", "--cached", "--name-only").split()
    assert staged == ["flows.d/orders.yaml"]


def test_a_state_folder_the_team_made_is_left_as_it_is(tmp_path: Path) -> None:
    repo = config_repo(tmp_path)
    (repo / ".reconciler").mkdir()
    (repo / ".reconciler" / "notes.txt").write_text("ours\n")
    done = run_cli("validate", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert not (repo / ".reconciler" / ".gitignore").exists()
    assert (repo / ".reconciler" / "notes.txt").read_text() == "ours\n"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_commit_hook_passes_twice_and_refuses_a_bad_flow(tmp_path: Path) -> None:
    """The shipped hook definition, run by the real pre-commit on real commits: the cache
    it writes never shows up as "files were modified by this hook"."""
    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists():
        pytest.fail("pre-commit is a dev dependency: `make install` installs it")
    repo = config_repo(tmp_path)
    shipped = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())[0]
    hook = {
        **{k: shipped[k] for k in ("id", "name", "files", "require_serial")},
        # `language: system` runs this checkout's CLI instead of installing the package
        # into a fresh environment (no network in tests).
        "language": "system",
        "entry": f"{sys.executable} -m reconciler validate",
    }
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    with (repo / ".pre-commit-config.yaml").open("w") as out:
        YAML().dump(config, out)
    env = {
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PYTHONPATH": str(REPO),
        "NO_COLOR": "1",
    }
    git(repo, "add", "-A")
    subprocess.run([str(pre_commit), "install"], cwd=repo, check=True, capture_output=True)
    git(repo, "commit", "-q", "-m", "first flow", env=env)

    # A second commit: the cache from the first run exists and is updated again.
    flow = repo / "flows.d" / "orders.yaml"
    flow.write_text(flow.read_text().replace("test flow", "orders of the shop"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "describe orders", env=env)
    assert not [p for p in git(repo, "ls-files").split() if p.startswith(".reconciler")]

    flow.write_text(flow.read_text().replace("url: https://", "url: http://"))
    git(repo, "add", "-A")
    refused = subprocess.run(
        ["git", "commit", "-q", "-m", "plain http"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV, **env},
        timeout=120,
    )
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert "flows.d/orders.yaml:8:8: error[url-scheme]" in output, output
    assert "files were modified by this hook" not in output
    assert git(repo, "log", "--format=%s").splitlines() == ["describe orders", "first flow"]
