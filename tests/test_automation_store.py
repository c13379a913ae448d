"""In automation (CI=true, GITHUB_ACTIONS=true) the commands that write lasting state refuse
the default store, which a fresh runner creates empty and throws away; the read-only ones
run and say so first, in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.validate_helpers import FLOW

REQUEST = """\
apiVersion: reconciler/v1
kind: ResubmitRequest
name: 2026-11-28-outage
reason: SAP down
action: resubmit
flows: [Orders]
select:
  status: [Error]
"""
WRITERS = [
    ["apply"],
    ["requests", "dispatch"],
    ["runs", "import", "runs.ndjson"],
]
AUTOMATION = [{"CI": "true"}, {"GITHUB_ACTIONS": "true"}, {"CI": "true", "RECONCILER_STORE": ""}]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "flows.d").mkdir()
    (tmp_path / "flows.d" / "orders.yaml").write_text(FLOW)
    (tmp_path / "requests.d").mkdir()
    (tmp_path / "requests.d" / "outage.yaml").write_text(REQUEST)
    (tmp_path / "runs.ndjson").write_text('{"id": "r1", "workflowName": "la-orders"}\n')
    return tmp_path


@pytest.mark.parametrize("env", AUTOMATION)
@pytest.mark.parametrize("args", WRITERS)
def test_writers_refuse_the_default_store_in_automation(
    repo: Path, args: list[str], env: dict[str, str]
) -> None:
    done = run_cli("--repo", str(repo), *args, env=env)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert (
        f"error: refusing to run `reconciler {' '.join(args[:2] if args[0] != 'apply' else args[:1])}` "
        "in CI against the default store (sqlite:///.reconciler/store.db)" in done.stderr
    )
    assert (
        "hint: give the store explicitly: --store URL, a non-empty RECONCILER_STORE "
        "(e.g. from a repository secret), or store: in reconciler.yaml" in done.stderr
    )
    assert not (repo / ".reconciler" / "store.db").exists()


def test_each_explicit_store_is_accepted_in_automation(repo: Path, tmp_path: Path) -> None:
    by_option = run_cli(
        "--repo",
        str(repo),
        "--store",
        f"sqlite:///{tmp_path / 'a.db'}",
        "apply",
        env={"CI": "true"},
    )
    assert by_option.returncode == 0, by_option.stderr
    by_env = run_cli(
        "--repo",
        str(repo),
        "runs",
        "import",
        str(repo / "runs.ndjson"),
        env={"CI": "true", "RECONCILER_STORE": f"sqlite:///{tmp_path / 'b.db'}"},
    )
    assert by_env.returncode == 0, by_env.stderr
    (repo / "reconciler.yaml").write_text(
        f"apiVersion: reconciler/v1\nkind: Config\nstore: sqlite:///{tmp_path / 'c.db'}\n"
    )
    by_config = run_cli("--repo", str(repo), "apply", env={"GITHUB_ACTIONS": "true"})
    assert by_config.returncode == 0, by_config.stderr
    assert (tmp_path / "c.db").exists() and not (repo / ".reconciler" / "store.db").exists()


NOTICE = "no store is configured, so this ran against the default store"


@pytest.mark.parametrize("command", [["plan"], ["requests", "preview"]])
@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "github"])
def test_read_only_commands_say_first_that_they_ran_on_the_default_store(
    repo: Path, command: list[str], fmt: str
) -> None:
    done = run_cli("--repo", str(repo), *command, "--format", fmt, env={"CI": "true"})
    assert done.returncode in (0, 1), done.stderr  # preview: the request selects no run
    first = done.stdout.splitlines()[0]
    if fmt == "json":
        doc = json.loads(done.stdout)
        assert list(doc)[:3] == ["formatVersion", "kind", "notices"]
        assert doc["notices"][0].startswith(NOTICE)
    elif fmt == "markdown":
        assert first.startswith(f"> **Note:** {NOTICE}")
    elif fmt == "github":
        assert first.startswith(f"::warning::{NOTICE}")
    else:
        assert first.startswith(f"note: {NOTICE}")
    quiet = run_cli("--repo", str(repo), *command, "--format", fmt)
    assert NOTICE not in quiet.stdout  # outside automation: nothing to say
