"""Flow membership (run_flows) follows the flows' current mappings.

A run belongs to a flow when it matches any mapping: workflowName against the run's
workflowName, domain/service/action/version against properties.Domain/Service/Action/Version;
every key given in a mapping must match. `apply` calls `rebuild_flow` for every created or
changed flow and `drop_flow` for deleted ones; `runs import` adds rows for new runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reconciler.store.base import Store

if TYPE_CHECKING:  # typing only: keeps pydantic out of commands that do not need it
    from reconciler.models import Mapping

# mapping key -> runs column
MAPPING_COLUMNS = {
    "workflowName": "workflow_name",
    "domain": "domain",
    "service": "service",
    "action": "action",
    "version": "version",
}


def mapping_condition(mappings: Sequence[Mapping]) -> tuple[str, list[Any]]:
    """SQL boolean over `runs` (alias r) true when any mapping matches."""
    clauses: list[str] = []
    params: list[Any] = []
    for mapping in mappings:
        parts = []
        for key, column in MAPPING_COLUMNS.items():
            value = getattr(mapping, key)
            if value is not None:
                parts.append(f"r.{column} = ?")
                params.append(value)
        if parts:
            clauses.append("(" + " AND ".join(parts) + ")")
    return ("(" + " OR ".join(clauses) + ")" if clauses else "1 = 0"), params


def rebuild_flow(store: Store, flow_name: str, mappings: Sequence[Mapping]) -> int:
    """Recompute one flow's members from its mappings; returns the member count."""
    drop_flow(store, flow_name)
    condition, params = mapping_condition(mappings)
    cursor = store.execute(
        "INSERT INTO run_flows (flow, run_pk, status_id, execution_us) "
        f"SELECT ?, r.pk, r.status_id, r.execution_us FROM runs r WHERE {condition}",
        (flow_name, *params),
    )
    return int(cursor.rowcount or 0)


def drop_flow(store: Store, flow_name: str) -> None:
    store.execute("DELETE FROM run_flows WHERE flow = ?", (flow_name,))
