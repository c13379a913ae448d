"""Rules for one request file (PRODUCT.md section 4) beyond the schema."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from reconciler.core.rules import Issue, Locator, did_you_mean, get
from reconciler.core.statuses import GROUPS, STATUS_NAMES

STATUS_WORDS = {word.lower(): word for word in (*GROUPS, *STATUS_NAMES)}


def status_issue(value: object, path: tuple[str | int, ...]) -> Issue | None:
    """A status filter entry: a name, a group or a statusId integer."""
    if isinstance(value, bool) or not isinstance(value, str):
        return None  # integers are statusIds; other types are schema errors
    text = value.strip()
    if text.lstrip("-").isdigit() or text.lower() in STATUS_WORDS:
        return None
    return Issue(
        path,
        "unknown-status",
        f"unknown status '{value}'",
        did_you_mean(text, list(STATUS_WORDS.values()))
        or "use a status name, a group (Active, Error, Completed, Ignored, Cancelled) "
        "or a statusId integer",
    )


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
    statuses = get(data, "select", "status")
    if isinstance(statuses, list):
        for index, value in enumerate(statuses):
            issue = status_issue(value, ("select", "status", index))
            if issue is not None:
                issues.append(issue)
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
