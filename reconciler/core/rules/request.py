"""Rules for one request file (PRODUCT.md section 4) beyond the schema."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from reconciler.core.rules import Issue, Locator, get


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def check_request(data: Any, loc: Locator) -> list[Issue]:
    del loc
    issues: list[Issue] = []
    window = get(data, "select", "executed")
    if isinstance(window, dict):
        after, before = _instant(window.get("after")), _instant(window.get("before"))
        if after is not None and before is not None and after >= before:
            issues.append(
                Issue(
                    ("select", "executed", "before"),
                    "time-window",
                    f"time window is empty: 'before' ({window['before']}) is not later than "
                    f"'after' ({window['after']})",
                    "the window is half-open: after <= executionTime < before",
                )
            )
    filters = get(data, "select", "properties")
    if isinstance(filters, list):
        for index, item in enumerate(filters):
            if isinstance(item, dict) and item.get("op") == "regex":
                pattern = item.get("value")
                if isinstance(pattern, str):
                    try:
                        re.compile(pattern)
                    except re.error as exc:
                        issues.append(
                            Issue(
                                ("select", "properties", index, "value"),
                                "invalid-regex",
                                f"'{pattern}' is not a valid regular expression: {exc}",
                            )
                        )
    return issues
