"""The configuration tree: flows.d/, requests.d/, reconciler.yaml -> models + findings.

This is the interface the rest of the tool uses (plan, apply, check, preview, dispatch):
`load_tree(root)` returns every valid file as a model and every finding."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from reconciler.core.findings import Finding, has_errors
from reconciler.models import Config, Flow, Request

FLOWS_DIR = "flows.d"
REQUESTS_DIR = "requests.d"
CONFIG_FILE = "reconciler.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


def canonical_json(model: BaseModel) -> str:
    """Stable text of a model (sorted keys, defaults included): what hashes are taken of."""
    return json.dumps(
        model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def content_hash(model: BaseModel) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(model).encode()).hexdigest()


@dataclass(frozen=True)
class FlowFile:
    path: str  # relative to the repo root, POSIX separators
    folder: str  # directory relative to flows.d/ ("" at the top)
    flow: Flow


@dataclass(frozen=True)
class RequestFile:
    path: str
    request: Request

    @property
    def content_hash(self) -> str:
        return content_hash(self.request)


@dataclass
class Tree:
    root: Path
    flows: list[FlowFile] = field(default_factory=list)
    requests: list[RequestFile] = field(default_factory=list)
    config: Config | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not has_errors(self.findings)

    def flow(self, name: str) -> Flow | None:
        for item in self.flows:
            if item.flow.name == name:
                return item.flow
        return None


def discover(root: Path, paths: Sequence[Path] | None = None) -> list[Path]:
    """YAML files under flows.d/ and requests.d/ plus reconciler.yaml (or the given paths)."""
    if not paths:
        paths = [root / FLOWS_DIR, root / REQUESTS_DIR, root / CONFIG_FILE]
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
        elif path.exists():
            found.append(path)
    return sorted(set(found))


def load_tree(root: Path, paths: Sequence[Path] | None = None) -> Tree:
    from reconciler.load.validate_file import validate_tree

    return validate_tree(root, discover(root, paths))
