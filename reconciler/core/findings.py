"""Validation findings are values; reporters render them.

Small values that every command's start-up defines (findings, rule issues, per-file
facts, config, URL targets) are named tuples rather than frozen dataclasses: a frozen
dataclass compiles six methods when its module is imported (~0.6 ms each class on the
CI machine), a named tuple one."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Finding(NamedTuple):
    """One problem at one place. `line` and `col` are 1-based; 0 means "the whole file"."""

    path: str
    line: int
    col: int
    rule: str
    message: str
    severity: Severity = Severity.ERROR
    hint: str | None = None

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.col, self.rule, self.message)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
