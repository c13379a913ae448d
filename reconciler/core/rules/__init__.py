"""Validation rules: pure functions from plain data (as loaded from YAML) to Issues.

Rules read raw data rather than models so that every rule runs even when the file also has
schema errors: one run reports all mistakes. An Issue names a path inside the document; the
loader turns paths into file:line:col. Rule ids are stable (documented in the README)."""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from reconciler.core.findings import Severity

DocPath = tuple[str | int, ...]


class Issue(NamedTuple):
    """One problem at a path in a document; `at_key` points at the key instead of the value."""

    path: DocPath
    rule: str
    message: str
    hint: str | None = None
    at_key: bool = False
    severity: Severity = Severity.ERROR


class Locator(Protocol):
    """Where a path is in the file (1-based line, col); rules name other lines with it."""

    def value_pos(self, path: DocPath) -> tuple[int, int]: ...

    def key_pos(self, path: DocPath) -> tuple[int, int]: ...


def dotted(path: DocPath) -> str:
    """("resubmit", "headers", 0, "name") -> "resubmit.headers[0].name"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the document"


def get(data: Any, *path: str | int) -> Any:
    """A value by path, or None when any step is missing or of the wrong type."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[part] if isinstance(part, int) else data.get(part)
    return data
