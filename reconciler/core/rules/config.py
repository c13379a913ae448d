"""Rules for reconciler.yaml beyond the schema."""

from __future__ import annotations

from typing import Any

from reconciler.core.netpolicy import AllowlistError, NetPolicy
from reconciler.core.rules import Issue, get

STORE_SCHEMES = ("sqlite:///", "postgresql://", "postgres://")


def check_config(data: Any) -> list[Issue]:
    issues: list[Issue] = []
    allow = get(data, "network", "allow")
    if isinstance(allow, list):
        for index, entry in enumerate(allow):
            if isinstance(entry, str):
                try:
                    NetPolicy.parse([entry])
                except AllowlistError as exc:
                    message = f"network.allow[{index}] {entry!r}: {exc.problem}"
                    issues.append(
                        Issue(("network", "allow", index), "config-network-allow", message)
                    )
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
