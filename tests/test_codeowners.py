"""CODEOWNERS generation: pure rendering/merging and the CLI's write and --check."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.core.codeowners import (
    BEGIN,
    END,
    CodeownersError,
    OwnedFile,
    merge,
    render_block,
)
from tests.conftest import run_cli

FLOW = """apiVersion: reconciler/v1
kind: Flow
name: {name}
mappings:
  - workflowName: {wf}
{owners}"""


def write_flow(root: Path, rel: str, name: str, owners: list[str]) -> None:
    path = root / "flows.d" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    owners_yaml = f"owners: [{', '.join(repr(o) for o in owners)}]\n" if owners else ""
    path.write_text(FLOW.format(name=name, wf=name.lower().replace(" ", "-"), owners=owners_yaml))


def test_folders_first_then_files_that_differ() -> None:
    block = render_block(
        [
            OwnedFile("flows.d/Sales/EU/orders.yaml", "flows.d/Sales/EU", ("@org/sales-eu",)),
            OwnedFile("flows.d/Sales/EU/refunds.yaml", "flows.d/Sales/EU", ("@org/finance",)),
            OwnedFile("flows.d/Sales/quotes.yaml", "flows.d/Sales", ("@org/sales",)),
            OwnedFile("flows.d/HR/people.yaml", "flows.d/HR", ()),
        ]
    )
    assert block.splitlines() == [
        BEGIN,
        "/flows.d/Sales/ @org/sales",
        "/flows.d/Sales/EU/ @org/sales-eu @org/finance",  # in file order
        "/flows.d/Sales/EU/orders.yaml @org/sales-eu",
        "/flows.d/Sales/EU/refunds.yaml @org/finance",
        END,
    ]


def test_paths_with_spaces_and_glob_characters_are_escaped() -> None:
    block = render_block([OwnedFile("flows.d/A B/x[1].yaml", "flows.d/A B", ("a@example.com",))])
    assert "/flows.d/A\\ B/ a@example.com" in block.splitlines()


def test_an_invalid_owner_is_refused_with_the_file() -> None:
    with pytest.raises(CodeownersError, match=r"flows.d/x.yaml: owner 'sales team'"):
        render_block([OwnedFile("flows.d/x.yaml", "flows.d", ("sales team",))])


def test_merge_keeps_hand_written_rules_and_replaces_only_the_block() -> None:
    old = f"* @org/admins\n\n{BEGIN}\n/flows.d/ @old\n{END}\n/docs/ @org/writers\n"
    new_block = f"{BEGIN}\n/flows.d/ @new\n{END}\n"
    merged = merge(old, new_block)
    assert merged == f"* @org/admins\n\n{new_block}/docs/ @org/writers\n"
    assert merge("* @org/admins\n", new_block) == f"* @org/admins\n\n{new_block}"
    assert merge(None, new_block) == new_block
    with pytest.raises(CodeownersError, match="markers are broken"):
        merge(f"{END}\n{BEGIN}\n", new_block)


def test_cli_writes_then_check_passes_then_detects_a_stale_file(tmp_path: Path) -> None:
    write_flow(tmp_path, "Sales/orders.yaml", "Orders", ["@org/sales"])
    write_flow(tmp_path, "Sales/returns.yaml", "Returns", ["@org/sales", "@alice"])
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text("* @org/platform\n")

    written = run_cli("codeowners", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    text = (tmp_path / ".github" / "CODEOWNERS").read_text()
    assert text.startswith("* @org/platform\n\n" + BEGIN)
    assert "/flows.d/Sales/ @org/sales @alice\n" in text
    assert "/flows.d/Sales/orders.yaml @org/sales\n" in text

    assert run_cli("codeowners", "--check", cwd=tmp_path).returncode == 0
    again = run_cli("codeowners", cwd=tmp_path)
    assert "unchanged" in again.stdout

    write_flow(tmp_path, "Sales/orders.yaml", "Orders", ["@org/sales-eu"])
    stale = run_cli("codeowners", "--check", cwd=tmp_path)
    assert stale.returncode == 1
    assert "+/flows.d/Sales/orders.yaml @org/sales-eu" in stale.stdout
    assert "is stale: run `reconciler codeowners`" in stale.stderr
    assert (tmp_path / ".github" / "CODEOWNERS").read_text() == text  # --check wrote nothing


def test_cli_refuses_an_invalid_tree_and_writes_nothing(tmp_path: Path) -> None:
    write_flow(tmp_path, "a.yaml", "A", ["not an owner"])
    result = run_cli("codeowners", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "flows.d/a.yaml:" in result.stderr
        and "valid flows only" in result.stderr
        and "Traceback" not in result.stderr
    )
    assert not (tmp_path / ".github" / "CODEOWNERS").exists()


def test_this_repositorys_codeowners_is_current() -> None:
    """CI runs `reconciler codeowners --check` too; fix with `reconciler codeowners`."""
    from tests.conftest import REPO

    result = run_cli("codeowners", "--check", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
