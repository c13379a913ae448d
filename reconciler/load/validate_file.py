"""PROVISIONAL minimal loader (safe YAML + pydantic, positions only per file).
The validation issue replaces it with the full rule set and precise positions;
the function signatures below are the interface the rest of the tool relies on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from reconciler.core.findings import Finding
from reconciler.models import Config, Flow, Request

if TYPE_CHECKING:
    from reconciler.load.tree import Tree


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _load(path: Path, rel: str) -> tuple[object, list[Finding]]:
    try:
        data = YAML(typ="safe", pure=False).load(path.read_bytes())
    except (YAMLError, UnicodeDecodeError) as exc:
        return None, [Finding(rel, 1, 1, "yaml-syntax", f"not valid YAML: {exc}")]
    return data, []


def _model_findings(exc: ValidationError, rel: str) -> list[Finding]:
    return [
        Finding(rel, 1, 1, "schema", f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}")
        for e in exc.errors()
    ]


def validate_config_file(path: Path, root: Path) -> tuple[Config | None, list[Finding]]:
    rel = _rel(path, root)
    data, findings = _load(path, rel)
    if findings:
        return None, findings
    try:
        return Config.model_validate(data), []
    except ValidationError as exc:
        return None, _model_findings(exc, rel)


def validate_tree(root: Path, files: Sequence[Path]) -> Tree:
    from reconciler.load.tree import CONFIG_FILE, FLOWS_DIR, FlowFile, RequestFile, Tree

    tree = Tree(root=root)
    for path in files:
        rel = _rel(path, root)
        if rel == CONFIG_FILE:
            tree.config, found = validate_config_file(path, root)
            tree.findings.extend(found)
            continue
        data, found = _load(path, rel)
        tree.findings.extend(found)
        if found:
            continue
        is_flow = rel.startswith(FLOWS_DIR + "/")
        try:
            if is_flow:
                flow = Flow.model_validate(data)
                folder = str(Path(rel).parent.relative_to(FLOWS_DIR).as_posix())
                tree.flows.append(FlowFile(rel, "" if folder == "." else folder, flow))
            else:
                tree.requests.append(RequestFile(rel, Request.model_validate(data)))
        except ValidationError as exc:
            tree.findings.extend(_model_findings(exc, rel))
    return tree
