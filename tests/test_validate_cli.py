"""`reconciler validate` through the real CLI (subprocess): formats, exit codes, cache."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import REPO, run_cli
from tests.validate_helpers import FLOW, REQUEST, write_tree

BAD_FLOW = FLOW.replace("name: Orders", "name: Orders\nnmae: typo").replace(
    "https://integration.example.com/orders/resume", "http://10.0.0.5/resume"
)


def test_examples_in_the_repository_are_valid() -> None:
    result = run_cli("validate", "--no-cache", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().startswith("All valid: ")


def test_text_output_has_position_caret_hint_and_exit_1(tmp_path: Path) -> None:
    write_tree(tmp_path, {"flows.d/A/orders.yaml": BAD_FLOW, "requests.d/r.yaml": REQUEST})
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    first = lines.index("flows.d/A/orders.yaml:4:1: error[unknown-key]: unknown key 'nmae'")
    assert lines[first + 1] == "    4 | nmae: typo"
    assert lines[first + 2] == "        ^"
    assert lines[first + 3] == "      = hint: did you mean 'name'?"
    assert (
        "flows.d/A/orders.yaml:13:8: error[url-scheme]: URL must use https:// (got http)" in lines
    )
    assert (
        "flows.d/A/orders.yaml:13:8: error[url-private-address]: URL host 10.0.0.5 is private"
        in lines
    )
    assert lines[-1] == "3 errors in 1 file (2 files checked)."
    assert "Traceback" not in result.stderr


def test_json_output(tmp_path: Path) -> None:
    write_tree(tmp_path, {"flows.d/A/orders.yaml": BAD_FLOW})
    result = run_cli("validate", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["formatVersion"] == 1 and doc["kind"] == "validation"
    assert doc["valid"] is False and doc["files"] == 1 and doc["errors"] == 3
    assert doc["findings"][0] == {
        "path": "flows.d/A/orders.yaml",
        "line": 4,
        "col": 1,
        "rule": "unknown-key",
        "severity": "error",
        "message": "unknown key 'nmae'",
        "hint": "did you mean 'name'?",
    }


def test_github_annotations_are_automatic_under_actions(tmp_path: Path) -> None:
    write_tree(tmp_path, {"flows.d/A/orders.yaml": BAD_FLOW})
    result = run_cli("validate", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "::error file=flows.d/A/orders.yaml,line=4,col=1,title=unknown-key::"
        "unknown key 'nmae'%0Ahint: did you mean 'name'?"
    )


def test_markdown_output(tmp_path: Path) -> None:
    write_tree(tmp_path, {"flows.d/A/orders.yaml": BAD_FLOW})
    result = run_cli("validate", "--format", "markdown", cwd=tmp_path)
    assert result.returncode == 1
    assert "| `flows.d/A/orders.yaml:4:1` | `unknown-key` | unknown key 'nmae'" in result.stdout


def test_paths_are_checked_in_the_context_of_the_whole_tree(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "flows.d/A/orders.yaml": FLOW,
            "flows.d/B/broken.yaml": "kind: Flow\n",
            "requests.d/r.yaml": REQUEST,
        },
    )
    # The request names flow 'Orders', defined in a file not passed on the command line.
    result = run_cli("validate", "requests.d/r.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "All valid: 1 file checked."
    result = run_cli("validate", "flows.d/B", cwd=tmp_path)
    assert result.returncode == 1
    assert "flows.d/B/broken.yaml:1:1: error[schema]: missing required key 'apiVersion'" in (
        result.stdout
    )


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("validate", "nope.yaml", cwd=tmp_path)
    assert result.returncode == 64
    assert "no such file or directory: nope.yaml" in result.stderr


def test_a_directory_that_is_no_config_repository_is_refused_with_a_hint(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text("apiVersion: reconciler/v1\nkind: Config\n")
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 64, result.stdout
    assert (
        "error: this directory is not a config repository: it has neither flows.d/ nor "
        "requests.d/" in result.stderr
    )
    assert "hint: run `reconciler init` to create one here, or point --repo at" in result.stderr
    elsewhere = run_cli("--repo", str(tmp_path), "validate")
    assert f"error: {tmp_path} is not a config repository" in elsewhere.stderr


def test_an_empty_config_repository_is_valid(tmp_path: Path) -> None:
    (tmp_path / "flows.d").mkdir()
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == "All valid: 0 files checked."


def test_an_invalid_reconciler_yaml_is_reported_with_every_other_finding(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "reconciler.yaml": "apiVersion: reconciler/v1\nkind: Config\nnetwrok: {}\n",
            "flows.d/a.yaml": FLOW.replace("mappings:", "mapings:"),
        },
    )
    for fmt, expected in [
        ("text", ["reconciler.yaml:3:1: error[unknown-key]", "flows.d/a.yaml:"]),
        ("json", ['"path": "reconciler.yaml"', '"path": "flows.d/a.yaml"']),
        ("markdown", ["`reconciler.yaml:3:1`", "`flows.d/a.yaml:"]),
        ("github", ["::error file=reconciler.yaml,line=3,col=1", "::error file=flows.d/a.yaml"]),
    ]:
        result = run_cli("validate", "--format", fmt, cwd=tmp_path)
        assert result.returncode == 1, (fmt, result.stderr)
        for text in expected:
            assert text in result.stdout, (fmt, text, result.stdout)


def test_cache_serves_unchanged_files_and_never_hides_changes(tmp_path: Path) -> None:
    write_tree(tmp_path, {"flows.d/A/orders.yaml": FLOW, "requests.d/r.yaml": REQUEST})
    first = json.loads(run_cli("validate", "--format", "json", cwd=tmp_path).stdout)
    assert (first["valid"], first["cached"]) == (True, 0)
    second = json.loads(run_cli("validate", "--format", "json", cwd=tmp_path).stdout)
    assert (second["valid"], second["cached"]) == (True, 2)
    # A cross-file mistake in a cached file is still found: rename the flow.
    write_tree(tmp_path, {"flows.d/A/orders.yaml": FLOW.replace("name: Orders", "name: Sales")})
    third = run_cli("validate", "--format", "json", cwd=tmp_path)
    doc = json.loads(third.stdout)
    assert third.returncode == 1 and doc["cached"] == 1
    assert [(f["path"], f["rule"]) for f in doc["findings"]] == [
        ("requests.d/r.yaml", "unknown-flow")
    ]
    # network.allow changes what is valid: the cache key includes it.
    write_tree(
        tmp_path,
        {"flows.d/A/orders.yaml": FLOW.replace("integration.example.com", "10.0.0.9")},
    )
    assert run_cli("validate", "flows.d", cwd=tmp_path).returncode == 1
    write_tree(
        tmp_path,
        {
            "reconciler.yaml": "apiVersion: reconciler/v1\nkind: Config\nnetwork: {allow: [10.0.0.9]}\n"
        },
    )
    assert run_cli("validate", "flows.d", cwd=tmp_path).returncode == 0
    no_cache = json.loads(
        run_cli("validate", "--no-cache", "--format", "json", cwd=tmp_path).stdout
    )
    assert no_cache["cached"] == 0


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    write_tree(tmp_path, {"flows.d/A/orders.yaml": FLOW})
    cache = tmp_path / ".reconciler" / "cache" / "validate.db"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"this is not a database" * 100)
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "All valid: 1 file checked."
