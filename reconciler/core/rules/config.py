"""Rules for reconciler.yaml beyond the schema."""

from __future__ import annotations

from typing import Any

from reconciler.core.netpolicy import AllowlistError, NetPolicy
from reconciler.core.rules import Issue, get
from reconciler.core.statuses import STATUS_NAMES
from reconciler.core.suggest import did_you_mean

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
    statuses = get(data, "statuses")
    if isinstance(statuses, dict):
        known = {name.lower() for name in STATUS_NAMES}
        for code, name in statuses.items():
            if isinstance(name, str) and name.lower() not in known:
                issues.append(
                    Issue(
                        ("statuses", code),
                        "config-statuses",
                        f"statuses: '{name}' is not an Invictus status name",
                        did_you_mean(name, STATUS_NAMES) or "names: " + ", ".join(STATUS_NAMES),
                    )
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
