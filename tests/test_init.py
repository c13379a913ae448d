"""`reconciler init`: a config repository that validates at once, and never a file replaced."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from ruamel.yaml import YAML

from reconciler.load.tree import load_tree
from reconciler.scaffold import render_workflow, secret_env_names
from tests.conftest import REPO, run_cli
from tests.test_workflows import actionlint

EXPECTED = [
    "flows.d/example/order-processing.yaml",
    "requests.d/README.md",
    "reconciler.yaml",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".github/workflows/pr.yml",
    ".github/workflows/apply.yml",
    "schemas/flow.schema.json",
    "schemas/request.schema.json",
    "schemas/run.schema.json",
    "schemas/config.schema.json",
    ".github/CODEOWNERS",
]
MODELINE = re.compile(r"yaml-language-server: \$schema=(\S+)")


def test_init_writes_a_repository_that_validates_at_once(tmp_path: Path) -> None:
    target = tmp_path / "config-repo"
    done = run_cli("init", str(target))
    assert done.returncode == 0, done.stderr
    assert [line.split()[1] for line in done.stdout.splitlines()[:-1]] == EXPECTED
    assert all(line.startswith("wrote ") for line in done.stdout.splitlines()[:-1])
    assert "12 files written, 0 kept" in done.stdout
    for path in EXPECTED:
        assert (target / path).is_file(), path

    checks = {
        "validate": run_cli("--repo", str(target), "validate"),
        "codeowners": run_cli("--repo", str(target), "codeowners", "--check"),
        "schemas": run_cli("--repo", str(target), "schema", "export", "--check"),
        "plan": run_cli("--repo", str(target), "plan"),
    }
    for name, result in checks.items():
        assert result.returncode == 0, (name, result.stdout, result.stderr)
    assert "All valid: 2 files checked." in checks["validate"].stdout

    # Every modeline names a schema that exists, relative to its file.
    for path in target.rglob("*"):
        if path.suffix in (".yaml", ".yml", ".md") and path.is_file():
            for ref in MODELINE.findall(path.read_text()):
                assert (path.parent / ref).resolve().is_file(), (path, ref)

    # The workflows lint, and use the action by reference.
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    lint = actionlint(target)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    apply = (target / ".github/workflows/apply.yml").read_text()
    assert "uses: flow-reconciler/flow-reconciler@v" in apply and "uses: ./" not in apply
    assert "ORDERS_API_KEY: ${{ secrets.ORDERS_API_KEY }}" in apply
    hooks = YAML(typ="safe").load((target / ".pre-commit-config.yaml").read_text())
    assert hooks["repos"][0]["hooks"] == [{"id": "reconciler-validate"}]
    assert (target / ".gitignore").read_text().splitlines()[-1] == ".reconciler/"


def test_init_never_replaces_a_file_and_says_what_it_left(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text("# mine\napiVersion: reconciler/v1\nkind: Config\n")
    (tmp_path / ".gitignore").write_text("node_modules/\n")
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").symlink_to(tmp_path / "elsewhere")  # dangling link
    done = run_cli("--repo", str(tmp_path), "init")
    assert done.returncode == 0, done.stderr
    assert "kept  reconciler.yaml  (exists; left as it is)" in done.stdout
    assert "kept  .gitignore  (exists; left as it is)" in done.stdout
    assert "kept  .github/CODEOWNERS  (exists; left as it is)" in done.stdout
    assert "9 files written, 3 kept" in done.stdout
    assert (tmp_path / "reconciler.yaml").read_text().startswith("# mine")
    assert (tmp_path / ".gitignore").read_text() == "node_modules/\n"
    assert not (tmp_path / "elsewhere").exists()
    again = run_cli("--repo", str(tmp_path), "init")
    assert "0 files written, 12 kept" in again.stdout


def test_this_repository_runs_the_same_workflows_init_writes() -> None:
    """The tool's own repository is a config repository: its workflows are the templates
    with the local action (`./`) and the secrets its own flows reference."""
    flows = [item.flow for item in load_tree(REPO).flows]
    assert (REPO / ".github/workflows/pr.yml").read_text() == render_workflow("pr.yml", action="./")
    assert (REPO / ".github/workflows/apply.yml").read_text() == render_workflow(
        "apply.yml", action="./", secrets=secret_env_names(flows)
    )
