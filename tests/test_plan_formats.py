"""`plan` in each output format: what a pull request shows of a change to flows.d/."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli
from tests.validate_helpers import FLOW


def test_plan_as_github_annotations_puts_each_change_on_its_file(tmp_path: Path) -> None:
    (tmp_path / "flows.d").mkdir()
    (tmp_path / "flows.d" / "orders.yaml").write_text(FLOW)
    done = run_cli("--repo", str(tmp_path), "plan", "--format", "github")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("::notice title=flow-reconciler plan::1 to create, 0 to update")
    assert lines[1].startswith(
        "::notice file=flows.d/orders.yaml,line=1,title=plan: create::create 'Orders'"
    )
    # the default under GitHub Actions (after the note on the unconfigured store)
    auto = run_cli("--repo", str(tmp_path), "plan", env={"GITHUB_ACTIONS": "true"})
    assert auto.stdout.splitlines()[0].startswith("::warning::no store is configured")
    assert auto.stdout.splitlines()[1:] == lines
