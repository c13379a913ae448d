"""Rules for one request file beyond its model: status names, regular expressions, a flow
named twice, a request following up itself."""

from __future__ import annotations

from typing import Any

from reconciler.core.regex import regex_problem, shown_pattern
from reconciler.core.rules import Issue, Locator, get
from reconciler.core.statuses import GROUPS, STATUS_NAMES
from reconciler.core.suggest import did_you_mean
from reconciler.core.validation import describe
from reconciler.models.common import INT32_MAX, INT32_MIN

STATUS_WORDS = {word.lower(): word for word in (*GROUPS, *STATUS_NAMES)}


def status_issue(value: object, path: tuple[str | int, ...]) -> Issue | None:
    """A status filter entry: a name, a group or a statusId integer."""
    if isinstance(value, bool) or not isinstance(value, str):
        return None  # integers are statusIds; other types are schema errors
    text = value.strip()
    if text.lower() in STATUS_WORDS:
        return None
    if text.lstrip("-").isdigit():
        if len(text) <= 11 and INT32_MIN <= int(text) <= INT32_MAX:
            return None
        return Issue(
            path,
            "unknown-status",
            f"statusId {describe(text)} is out of range",
            f"statusIds are integers from {INT32_MIN} to {INT32_MAX}",
        )
    return Issue(
        path,
        "unknown-status",
        f"unknown status '{value}'",
        did_you_mean(text, list(STATUS_WORDS.values()))
        or "use a status name, a group (Active, Error, Completed, Ignored, Cancelled) "
        "or a statusId integer",
    )


def check_request(data: Any, loc: Locator) -> list[Issue]:
    del loc
    issues: list[Issue] = []
    statuses = get(data, "select", "status")
    if isinstance(statuses, list):
        for index, value in enumerate(statuses):
            issue = status_issue(value, ("select", "status", index))
            if issue is not None:
                issues.append(issue)
    issues += _flows_named_twice(data)
    follows = get(data, "select", "fromRequest", "name")
    if isinstance(follows, str) and follows == get(data, "name"):
        issues.append(
            Issue(
                ("select", "fromRequest", "name"),
                "from-request-self",
                f"fromRequest names this request itself ('{follows}')",
                "name the earlier request whose runs this one follows up",
            )
        )
    filters = get(data, "select", "properties")
    if isinstance(filters, list):
        for index, item in enumerate(filters):
            if isinstance(item, dict) and item.get("op") == "regex":
                pattern = item.get("value")
                if not isinstance(pattern, str):
                    continue  # a schema error
                problem = regex_problem(pattern)
                if problem is not None:
                    issues.append(
                        Issue(
                            ("select", "properties", index, "value"),
                            "invalid-regex",
                            f"regex {shown_pattern(pattern)} cannot be used: {problem}",
                            "both stores read the same subset: literals, . ^ $ | ( ), "
                            "[...] classes, * + ? {m,n} (n <= 255), \\d \\w \\s and "
                            "escaped metacharacters",
                        )
                    )
    return issues


def _flows_named_twice(data: Any) -> list[Issue]:
    """The same flow twice in `flows:` would freeze its runs twice under one request."""
    names = get(data, "flows")
    if not isinstance(names, list):
        return []
    first: dict[str, int] = {}
    issues = []
    for index, name in enumerate(names):
        if not isinstance(name, str):
            continue  # a schema error
        if name in first:
            issues.append(
                Issue(
                    ("flows", index),
                    "duplicate-flow-reference",
                    f"flow '{name}' is named twice in flows (entries {first[name] + 1} and "
                    f"{index + 1})",
                    "name each flow once",
                )
            )
        else:
            first[name] = index
    return issues
