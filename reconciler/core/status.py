"""`reconciler status` is a list of sections; each feature contributes one (flows, endpoint
health, open requests...). A section is data; reporters render every section the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StatusSection:
    key: str  # JSON key
    title: str  # heading in text/markdown
    rows: list[tuple[str, str]]  # (label, value) for people
    data: dict[str, Any] = field(default_factory=dict)  # for JSON
    ok: bool = True  # False: something needs attention (drift, unreachable endpoint...)
