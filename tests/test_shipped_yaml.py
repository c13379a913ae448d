"""Every YAML this project ships -- the example tree, the demo, what `reconciler init`
writes, the yaml blocks of the README and docs -- means the same to other YAML loaders as to
ours: a timestamp is a quoted string, never left for a YAML 1.1 loader (PyYAML, editors,
pre-commit's check-yaml) to turn into a date."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, run_cli

SHIPPED = ["flows.d", "requests.d", "reconciler.yaml", "examples"]  # init: its own test
PROSE = ["README.md", "docs", "reconciler/scaffold"]
BLOCK = re.compile(r"^```ya?ml\n(.*?)^```", re.M | re.S)


def yaml_files(root: Path, places: list[str]) -> list[Path]:
    found: list[Path] = []
    for place in places:
        path = root / place
        if path.is_file():
            found.append(path)
        found += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
    return found


def dates(value: Any, where: str = "") -> Iterator[str]:
    if isinstance(value, datetime.date):  # datetime is a date too
        yield f"{where}: {value!r}"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from dates(key, where)
            yield from dates(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from dates(item, f"{where}[{i}]")


def unquoted_dates(text: str) -> list[str]:
    return [d for document in yaml.safe_load_all(text) for d in dates(document)]


@pytest.mark.parametrize("path", yaml_files(REPO, SHIPPED), ids=lambda p: str(p.relative_to(REPO)))
def test_shipped_yaml_files_hold_no_unquoted_timestamp(path: Path) -> None:
    assert unquoted_dates(path.read_text(encoding="utf-8")) == []


def test_yaml_blocks_in_the_readme_and_docs_hold_no_unquoted_timestamp() -> None:
    pages = [REPO / "README.md"]
    for place in PROSE[1:]:
        pages += sorted((REPO / place).rglob("*.md"))
    blocks = 0
    problems = []
    for page in pages:
        for block in BLOCK.findall(page.read_text(encoding="utf-8")):
            blocks += 1
            try:
                found = unquoted_dates(block)
            except yaml.YAMLError:
                continue  # a fragment (with "..."), not a document: nothing to load
            problems += [f"{page.relative_to(REPO)}: {d}" for d in found]
    assert blocks > 5
    assert problems == []


def test_what_init_writes_holds_no_unquoted_timestamp(tmp_path: Path) -> None:
    done = run_cli("init", str(tmp_path / "repo"))
    assert done.returncode == 0, done.stderr
    written = yaml_files(tmp_path / "repo", ["."])
    assert len(written) >= 4
    assert {str(p): unquoted_dates(p.read_text()) for p in written} == {str(p): [] for p in written}
