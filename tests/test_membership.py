from __future__ import annotations

from reconciler.models import Mapping
from reconciler.store import open_store, utcnow
from reconciler.store.membership import drop_flow, rebuild_flow


def _add_run(store, pk_id: str, workflow: str, domain: str | None, status: int) -> None:  # type: ignore[no-untyped-def]
    store.execute(
        "INSERT INTO runs (id, workflow_name, domain, status_id, execution_us, record, "
        "record_hash, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (pk_id, workflow, domain, status, 1, "{}", "h", utcnow()),
    )


def test_membership_follows_mappings(store_url: str) -> None:
    store = open_store(store_url)
    with store.transaction():
        _add_run(store, "a", "la-orders", "Sales", 2)
        _add_run(store, "b", "la-other", "Sales", 2)
        _add_run(store, "c", "la-other", "HR", 2)
        count = rebuild_flow(
            store, "Orders", [Mapping(workflowName="la-orders"), Mapping(domain="HR")]
        )
    assert count == 2
    members = {
        r[0]
        for r in store.query(
            "SELECT r.id FROM run_flows f JOIN runs r ON r.pk = f.run_pk WHERE f.flow = ?",
            ("Orders",),
        )
    }
    assert members == {"a", "c"}
    with store.transaction():
        assert (
            rebuild_flow(store, "Orders", [Mapping(domain="Sales", workflowName="la-other")]) == 1
        )
        drop_flow(store, "Orders")
    assert store.query("SELECT * FROM run_flows") == []
    store.close()
