"""One file: bytes -> findings (with line:col), cross-file facts and, when valid, its data.

YAML (with positions), then the file's model (the one validation path) and the rules
beyond it. The result carries no file path so that it can be cached by content;
`FileResult.findings` are `(line, col, rule, message, severity, hint)` tuples."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from reconciler.core.findings import Finding, Severity
from reconciler.core.plan import flow_spec
from reconciler.core.rules import Issue, get
from reconciler.core.rules.config import check_config
from reconciler.core.rules.flow import check_flow
from reconciler.core.rules.request import check_request
from reconciler.core.validation import validate
from reconciler.load.yamlsafe import Loaded, load_text
from reconciler.models import Config, Flow, Request

FLOW, REQUEST, CONFIG = "flow", "request", "config"
KINDS = {"Flow": FLOW, "ResubmitRequest": REQUEST, "Config": CONFIG}
KIND_NAMES = {kind: name for name, kind in KINDS.items()}
MODELS: dict[str, type[BaseModel]] = {FLOW: Flow, REQUEST: Request, CONFIG: Config}
PLACES = {FLOW: "flows.d/", REQUEST: "requests.d/", CONFIG: "the repository root (reconciler.yaml)"}

RawFinding = tuple[int, int, str, str, str, str | None]


@dataclass
class FileResult:
    kind: str | None
    findings: list[RawFinding] = field(default_factory=list)
    facts: dict[str, Any] | None = None
    # The model's canonical JSON when the document is structurally valid (YAML and model),
    # else None; for a flow, `flow_spec` of it (the text the store keeps). A document can
    # be structurally valid and still break a rule (a private URL, a literal secret): it
    # loads as a model, and the tree is not valid.
    model_json: str | None = None

    @property
    def ok(self) -> bool:
        return not any(f[4] == Severity.ERROR for f in self.findings)

    def located(self, path: str) -> list[Finding]:
        return [
            Finding(path, line, col, rule, message, Severity(severity), hint)
            for line, col, rule, message, severity, hint in self.findings
        ]


def _raw(loaded: Loaded, issue: Issue) -> RawFinding:
    line, col = loaded.key_pos(issue.path) if issue.at_key else loaded.value_pos(issue.path)
    return (line, col, issue.rule, issue.message, str(issue.severity), issue.hint)


def check_document(raw: bytes, kind: str | None, allow: Sequence[str] = ()) -> FileResult:
    """Every per-file rule. `kind` comes from the file's place (flows.d/, requests.d/,
    reconciler.yaml); None means "decide by the document's `kind:`"."""
    loaded = load_text(raw)
    result = FileResult(kind)
    result.findings = [(p.line, p.col, p.rule, p.message, "error", p.hint) for p in loaded.problems]
    data = loaded.data
    if data is None:
        return result
    if not isinstance(data, dict):
        result.findings.append(
            (
                *loaded.value_pos(()),
                "schema",
                f"the document must be a mapping, not {_what(data)}",
                "error",
                "start with apiVersion: reconciler/v1 and kind: ...",
            )
        )
        return result
    declared = data.get("kind")
    declared_kind = KINDS.get(declared) if isinstance(declared, str) else None
    if kind is None:
        if declared_kind is None:
            result.findings.append(
                (
                    *loaded.value_pos(("kind",)),
                    "unknown-kind",
                    "cannot tell what this file is: kind must be Flow, ResubmitRequest or Config",
                    "error",
                    "flows live in flows.d/, requests in requests.d/",
                )
            )
            return result
        kind = result.kind = declared_kind
    elif declared_kind is not None and declared_kind != kind:
        result.findings.append(
            (
                *loaded.value_pos(("kind",)),
                "wrong-kind",
                f"{PLACES[kind]} holds {KIND_NAMES[kind]} files; this file has kind '{declared}'",
                "error",
                f"move it to {PLACES[declared_kind]}",
            )
        )
        return result

    structural = not result.findings  # no loader problem so far
    model, issues = validate(MODELS[kind], data)
    rule_issues = _rule_issues(kind, data, loaded, allow)
    if rule_issues:
        # A specific rule at a path wins over a generic schema message at the same path.
        specific = {issue.path for issue in rule_issues}
        issues = [i for i in issues if not (i.rule == "schema" and i.path in specific)]
        issues.extend(rule_issues)
    if loaded.rejected:  # already reported by the loader, which had no value to keep
        issues = [i for i in issues if i.path not in loaded.rejected]
    result.findings.extend(_raw(loaded, issue) for issue in _unique(issues))
    result.facts = _facts(kind, data, loaded)
    if structural and model is not None:
        result.model_json = flow_spec(model) if isinstance(model, Flow) else model.model_dump_json()
    return result


def _what(data: Any) -> str:
    return "a list" if isinstance(data, list) else f"a single value ({data!r:.40})"


def _unique(issues: list[Issue]) -> list[Issue]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for issue in issues:
        key = (issue.path, issue.rule, issue.message)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out


def _rule_issues(kind: str, data: Any, loaded: Loaded, allow: Sequence[str]) -> list[Issue]:
    if kind == FLOW:
        return check_flow(data, loaded, allow)
    if kind == REQUEST:
        return check_request(data, loaded)
    return check_config(data)


def _name_at(loaded: Loaded, path: tuple[str | int, ...], value: Any) -> list[Any] | None:
    if not isinstance(value, str) or not value:
        return None
    line, col = loaded.value_pos(path)
    return [value, line, col]


def _facts(kind: str, data: dict[str, Any], loaded: Loaded) -> dict[str, Any] | None:
    """What the cross-file rules (and `check`: the URLs where they are) need, JSON-able so
    the cache can keep it."""
    if kind == FLOW:
        endpoints = [
            action
            for action in ("resubmit", "resume")
            if isinstance(get(data, action, "url"), str) and get(data, action, "url")
        ]
        return {
            "name": _name_at(loaded, ("name",), data.get("name")),
            "endpoints": endpoints,
            "urls": {a: _name_at(loaded, (a, "url"), get(data, a, "url")) for a in endpoints},
        }
    if kind == REQUEST:
        flows = data.get("flows")
        refs = []
        if isinstance(flows, list):
            refs = [
                ref
                for index, item in enumerate(flows)
                if (ref := _name_at(loaded, ("flows", index), item)) is not None
            ]
        action = data.get("action")
        return {
            "name": _name_at(loaded, ("name",), data.get("name")),
            "action": action if isinstance(action, str) else None,
            "flows": refs,
        }
    if kind == CONFIG:
        allow = get(data, "network", "allow")
        bundle = get(data, "network", "caBundle")
        return {
            "allow": [a for a in allow if isinstance(a, str)] if isinstance(allow, list) else [],
            "caBundle": [bundle, *loaded.value_pos(("network", "caBundle"))]
            if isinstance(bundle, str)
            else None,
        }
    return None


def rel_path(path: Path, root: Path) -> str:
    """POSIX path relative to the repo root (cheap when `path` was built from `root`)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_bytes(path: str | Path, limit: int) -> bytes:
    """At most limit+1 bytes: enough to say "too large" without reading 5 GiB. The buffer
    is sized by the file, not the limit (a 1 MiB buffer per file costs more than the read
    at 10,000 files). Plain descriptors: a buffered file object per file costs as much
    as the read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        want = min(os.fstat(fd).st_size, limit) + 1  # +1: a file that grew is still seen
        chunks = []
        while want > 0:  # a read may return less than asked (pipes, network file systems)
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            want -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
