"""CODEOWNERS generation: pure rendering/merging and the CLI's write and --check."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_paths_with_spaces_are_escaped_and_glob_characters_refused() -> None:
    block = render_block([OwnedFile("flows.d/A B/x.yaml", "flows.d/A B", ("a@example.com",))])
    assert "/flows.d/A\\ B/ a@example.com" in block.splitlines()
    for bad in ("flows.d/x[1]", "flows.d/a*", "flows.d/a?", "flows.d/a\\b", "flows.d/a\nb"):
        with pytest.raises(CodeownersError, match="CODEOWNERS cannot name"):
            render_block([OwnedFile(f"{bad}/x.yaml", bad, ("@a",))])


def _pattern_matches(pattern: str, path: str) -> bool:
    """A generated CODEOWNERS pattern (anchored, spaces escaped; no globs) applied the way
    GitHub applies gitignore-style patterns: a folder pattern covers everything below it."""
    literal = pattern.replace("\\ ", " ")
    assert literal.startswith("/") and "\\" not in literal
    if literal.endswith("/"):
        return ("/" + path).startswith(literal)
    return "/" + path == literal


FOLDER_NAMES = st.lists(
    st.sampled_from(["a", "b", "A", " ", "-", "_", ".", "#", "!", "@", "é", "Finance", "\n", "/"]),
    min_size=1,
    max_size=8,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(FOLDER_NAMES, min_size=1, max_size=6, unique=True))
def test_no_generated_line_names_another_folder(names: list[str]) -> None:
    segments = [[p for p in n.split("/") if p not in ("", ".", "..")] for n in names]
    folders = list(dict.fromkeys("/".join(["flows.d", *parts]) for parts in segments if parts))
    files = [OwnedFile(f"{f}/flow.yaml", f, (f"@team{i}",)) for i, f in enumerate(folders)]
    unnameable = [f for f in folders if "\n" in f]
    if unnameable:  # refused whole: a newline would end the rule and start another
        with pytest.raises(CodeownersError):
            render_block(files)
        return
    lines = render_block(files).splitlines()[1:-1]
    assert len(lines) == len(set(folders))  # one rule per folder, nothing else
    for line in lines:
        pattern, _, owners = line.rpartition(" ")
        owner_index = int(owners.removeprefix("@team"))
        own = folders[owner_index]
        for other in folders:
            covered = _pattern_matches(pattern, f"{other}/flow.yaml")
            # a folder's rule covers that folder and the folders below it, nothing else
            assert covered == (other == own or other.startswith(own + "/")), (line, other)


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


def test_a_folder_name_with_a_newline_cannot_grant_another_folder(tmp_path: Path) -> None:
    write_flow(tmp_path, "Finance/pay.yaml", "Pay", ["@org/finance"])
    write_flow(tmp_path, "zzz\n/flows.d/Finance/evil.yaml", "Evil", ["@mallory"])
    result = run_cli("codeowners", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "flows.d/zzz\\x0a/flows.d/Finance/evil.yaml:1:1:" in result.stderr
    assert "CODEOWNERS cannot name" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / ".github" / "CODEOWNERS").exists()
    check = run_cli("validate", cwd=tmp_path)
    assert check.returncode == 1
    assert (
        "flows.d/zzz\\x0a/flows.d/Finance/evil.yaml:1:1: error[path-name]: the path contains "
        "a control character (U+000A), which CODEOWNERS cannot name"
    ) in check.stdout.splitlines()
    annotations = run_cli("validate", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert "file=flows.d/zzz\\x0a/flows.d/Finance/evil.yaml,line=1,col=1" in annotations.stdout
