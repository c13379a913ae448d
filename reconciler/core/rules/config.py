"""Rules for reconciler.yaml beyond the schema."""

from __future__ import annotations

from typing import Any

from reconciler.core.rules import Issue, get
from reconciler.core.rules.net import check_allow_entry

STORE_SCHEMES = ("sqlite:///", "postgresql://", "postgres://")


def check_config(data: Any) -> list[Issue]:
    issues: list[Issue] = []
    allow = get(data, "network", "allow")
    if isinstance(allow, list):
        for index, entry in enumerate(allow):
            if isinstance(entry, str):
                error = check_allow_entry(entry)
                if error:
                    issues.append(Issue(("network", "allow", index), "config-network-allow", error))
    store = get(data, "store")
    if isinstance(store, str) and not store.startswith(STORE_SCHEMES):
        issues.append(
            Issue(
                ("store",),
                "config-store",
                f"store URL '{store.split('://')[0]}://...' is not supported",
                "use sqlite:///path/to/store.db or postgresql://host/db",
            )
        )
    return issues
