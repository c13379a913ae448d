"""Field-level differences between two flow documents, as a plan and the history show
them: leaf paths such as `resubmit.headers[x-api-key].valueFrom`, lists of named objects
matched by name, literal values of secret-looking headers masked (plans go into PR
comments)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from reconciler.core.rules.flow import is_secret_header


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One leaf difference. `path` like `resubmit.headers[x-api-key].valueFrom`;
    kind: changed | added | removed (before/after is None for the missing side)."""

    path: str
    before: Any
    after: Any
    kind: str = "changed"

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "before": self.before, "after": self.after}


def diff_values(before: Any, after: Any, path: str = "") -> list[FieldChange]:
    """Leaf differences; lists of objects with unique `name`s are matched by name."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[FieldChange] = []
        for key in list(after) + [k for k in before if k not in after]:
            sub = _join(path, key)
            if key not in before:
                out.append(_masked(FieldChange(sub, None, after[key], "added")))
            elif key not in after:
                out.append(_masked(FieldChange(sub, before[key], None, "removed")))
            else:
                out.extend(diff_values(before[key], after[key], sub))
        return out
    if isinstance(before, list) and isinstance(after, list):
        keyed_before, keyed_after = _by_name(before), _by_name(after)
        if keyed_before is not None and keyed_after is not None:
            return diff_values(keyed_before, keyed_after, path)
        out = []
        for i in range(max(len(before), len(after))):
            sub = f"{path}[{i}]"
            if i >= len(before):
                out.append(_masked(FieldChange(sub, None, after[i], "added")))
            elif i >= len(after):
                out.append(_masked(FieldChange(sub, before[i], None, "removed")))
            else:
                out.extend(diff_values(before[i], after[i], sub))
        return out
    if before == after and type(before) is type(after):
        return []
    return [_masked(FieldChange(path, before, after))]


_NAMED = "\0named"  # marks a dict made from a list keyed by name (path uses [name])


def _by_name(items: list[Any]) -> dict[str, Any] | None:
    if not items or not all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items):
        return None
    names = [i["name"] for i in items]
    if len(set(names)) != len(names):
        return None
    return {_NAMED + n: i for n, i in zip(names, items, strict=True)}


def _join(path: str, key: str) -> str:
    if key.startswith(_NAMED):
        return f"{path}[{key[len(_NAMED) :]}]"
    return f"{path}.{key}" if path else key


_LITERAL_HEADER = re.compile(r"\.headers\[([^\]]+)\](?:\.value)?$")


def _masked(change: FieldChange) -> FieldChange:
    """A literal value of a secret-looking header (allowed by an explicit opt-out) is never
    shown: plans go into PR comments."""
    match = _LITERAL_HEADER.search(change.path)
    if not match or not is_secret_header(match.group(1)):
        return change
    return FieldChange(change.path, _mask(change.before), _mask(change.after), change.kind)


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return "***"
    if isinstance(value, dict) and isinstance(value.get("value"), str):
        return {**value, "value": "***"}
    return value
