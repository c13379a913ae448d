"""plan/apply against a real store, both backends."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest

from reconciler.core.plan import Action, Plan, PlanEntry
from reconciler.errors import PruneRefused, ReconcilerError, StalePlanError
from reconciler.provenance import Provenance
from reconciler.reporters.plan import plan_json
from reconciler.services.reconcile import (
    ApplyOptions,
    ApplyResult,
    SavedPlan,
    apply_flows,
    desired_flows,
    make_plan,
)
from reconciler.store import Store, open_store, utcnow
from reconciler.store.audit import query_audit
from reconciler.store.flows import load_flows
from tests.flowfiles import write_flow, write_flows

PROV = Provenance("tester", "c0ffee" * 6 + "abcd", "host", 1)


def apply(store: Store, root: Path, **options: object) -> ApplyResult:
    return apply_flows(store, desired_flows(root), ApplyOptions(**options), PROV)  # type: ignore[arg-type]


def plan(store: Store, root: Path, adopt: bool = False) -> Plan:
    return make_plan(store, desired_flows(root), adopt=adopt)


@pytest.fixture
def store(store_url: str) -> Store:
    return open_store(store_url)


def test_apply_creates_audits_and_second_apply_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    write_flows(tmp_path, 12)
    result = apply(store, tmp_path)
    assert len(result.applied) == 12 and result.revision == 1
    assert {e.action for e in result.applied} == {Action.CREATE}
    flows = load_flows(store, specs=True)
    assert len(flows) == 12
    one = flows["flow 00003"]
    assert one.folder == "team3" and one.managed and one.applied_by == "tester"
    assert one.applied_commit == PROV.commit and one.current_hash() == one.applied_hash
    audit = query_audit(store, {"action": "create"})
    assert len(audit) == 12
    assert {a.actor for a in audit} == {"tester"} and all(a.after_hash for a in audit)
    # One record per created flow, in plan order (on SQLite they are copied in SQL).
    assert [a.flow for a in sorted(audit, key=lambda a: a.id)] == sorted(flows)
    hashes = {name: f.applied_hash for name, f in flows.items()}
    assert all(
        a.after_hash == hashes[a.flow]
        and a.before_hash is None
        and not a.diff
        and not a.detail
        and a.commit == PROV.commit
        and a.kind == "flow"
        for a in audit
    )
    again = apply(store, tmp_path)
    assert again.applied == [] and again.revision == 1
    assert not plan(store, tmp_path).has_changes
    assert len(query_audit(store, {})) == 12


def test_update_records_field_diff_in_audit(store: Store, tmp_path: Path) -> None:
    write_flow(tmp_path, "Orders")
    apply(store, tmp_path)
    write_flow(tmp_path, "Orders", url="https://new.example.com/r", batch_size=10)
    p = plan(store, tmp_path)
    (entry,) = p.changes
    assert entry.action is Action.UPDATE
    assert {c.path for c in entry.changes} == {"resubmit.url", "dispatch.batchSize"}
    assert p.changed_urls() == [("Orders", "resubmit", "https://new.example.com/r")]
    apply(store, tmp_path)
    (record,) = query_audit(store, {"flow": "Orders", "action": "update"})
    assert {c["path"] for c in record.diff} == {"resubmit.url", "dispatch.batchSize"}
    assert record.detail == {} and record.actor == "tester"
    assert not plan(store, tmp_path).has_changes


def test_drift_via_sql_is_planned_restored_and_audited(store: Store, tmp_path: Path) -> None:
    write_flow(tmp_path, "Orders", url="https://good.example.com/r")
    apply(store, tmp_path)
    with store.transaction():
        store.execute(
            "UPDATE flows SET spec = replace(spec, 'good.example.com', 'evil.example.com'), "
            "updated_at = ?, updated_by = ? WHERE name = ?",
            ("2026-11-28T01:02:03.000000Z", "dba", "Orders"),
        )
    p = plan(store, tmp_path)
    (entry,) = p.entries
    assert entry.action is Action.DRIFT
    assert [(c.path, c.before, c.after) for c in entry.changes] == [
        ("resubmit.url", "https://evil.example.com/r", "https://good.example.com/r")
    ]
    assert entry.changed_by == "dba" and entry.changed_at == "2026-11-28T01:02:03.000000Z"
    result = apply(store, tmp_path)
    assert [e.action for e in result.applied] == [Action.DRIFT]
    assert "good.example.com" in load_flows(store, specs=True)["Orders"].spec
    (record,) = query_audit(store, {"action": "drift"})
    assert record.diff[0]["path"] == "resubmit.url"
    assert record.detail["changedBy"] == "dba"
    assert not plan(store, tmp_path).has_changes


def test_prune_budget(store: Store, tmp_path: Path) -> None:
    write_flows(tmp_path, 8)
    apply(store, tmp_path)
    for path in sorted((tmp_path / "flows.d").rglob("*.yaml"))[:6]:
        path.unlink()
    revision = store.revision()
    with pytest.raises(PruneRefused, match=r"refusing to delete 6 flows .*--max-deletes 5"):
        apply(store, tmp_path, prune=True)
    assert len(load_flows(store)) == 8 and store.revision() == revision
    kept = apply(store, tmp_path)  # without --prune: nothing deleted, says so
    assert kept.applied == [] and len(kept.skipped_deletes) == 6
    assert "not deleted (use --prune)" in kept.notes[0]
    assert len(load_flows(store)) == 8
    done = apply(store, tmp_path, prune=True, max_deletes=6)
    assert [e.action for e in done.applied] == [Action.DELETE] * 6
    assert len(load_flows(store)) == 2
    assert len(query_audit(store, {"action": "delete"})) == 6


def test_saved_plan_is_refused_when_stale(store: Store, tmp_path: Path) -> None:
    write_flow(tmp_path, "A")
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan_json(plan(store, tmp_path)))
    saved = SavedPlan.read(plan_file)
    # tree changed since the plan
    write_flow(tmp_path, "A", description="changed")
    with pytest.raises(StalePlanError, match=r"flows\.d/ changed"):
        apply(store, tmp_path, saved=saved)
    write_flow(tmp_path, "A")
    # store changed since the plan (another apply)
    write_flow(tmp_path, "B")
    apply(store, tmp_path)
    (tmp_path / "flows.d" / "b.yaml").unlink()
    with pytest.raises(StalePlanError, match="revision 0, the store is now at revision 1"):
        apply(store, tmp_path, saved=saved)
    # a fresh plan applies
    write_flow(tmp_path, "A", description="v3")
    plan_file.write_text(plan_json(plan(store, tmp_path)))
    result = apply(store, tmp_path, saved=SavedPlan.read(plan_file))
    assert [(e.action, e.flow) for e in result.applied] == [(Action.UPDATE, "A")]
    assert [e.flow for e in result.skipped_deletes] == ["B"]


def test_saved_plan_is_refused_after_an_edit_outside_apply(store: Store, tmp_path: Path) -> None:
    write_flow(tmp_path, "A")
    apply(store, tmp_path)
    write_flow(tmp_path, "A", description="new")
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan_json(plan(store, tmp_path)))
    with store.transaction():
        store.execute("UPDATE flows SET spec = replace(spec, 'sales', 'hr')")
    with pytest.raises(StalePlanError, match="edit outside apply"):
        apply(store, tmp_path, saved=SavedPlan.read(plan_file))


def test_unmanaged_flows_untouched_unless_adopt(store: Store, tmp_path: Path) -> None:
    write_flow(tmp_path, "A")
    with store.transaction():
        for name in ("A", "Legacy"):
            store.execute(
                "INSERT INTO flows (name, folder, spec, managed, updated_at) VALUES (?, '', ?, 0, ?)",
                (name, json.dumps({"name": name}), utcnow()),
            )
    result = apply(store, tmp_path)
    assert result.applied == []
    assert {(e.action, e.flow) for e in result.plan.entries} == {
        (Action.UNMANAGED, "A"),
        (Action.UNMANAGED, "Legacy"),
    }
    assert not load_flows(store)["A"].managed
    adopted = apply(store, tmp_path, adopt=True, prune=True)
    assert [(e.action, e.flow) for e in adopted.applied] == [(Action.ADOPT, "A")]
    flows = load_flows(store, specs=True)
    assert flows["A"].managed and not flows["Legacy"].managed  # prune never deletes unmanaged


def test_membership_follows_apply(store: Store, tmp_path: Path) -> None:
    with store.transaction():
        for i, wf in enumerate(["la-a", "la-a", "la-b"]):
            store.execute(
                "INSERT INTO runs (id, workflow_name, status_id, execution_us, record, "
                "record_hash, imported_at) VALUES (?, ?, 2, 1, '{}', 'h', ?)",
                (f"r{i}", wf, utcnow()),
            )

    def members() -> list[tuple[str, int]]:
        return [
            (str(r[0]), int(r[1]))
            for r in store.query("SELECT flow, COUNT(*) FROM run_flows GROUP BY flow ORDER BY flow")
        ]

    write_flow(tmp_path, "X", workflow="la-a")
    apply(store, tmp_path)
    assert members() == [("X", 2)]
    write_flow(tmp_path, "X", workflow="la-b")
    apply(store, tmp_path)
    assert members() == [("X", 1)]
    (tmp_path / "flows.d" / "x.yaml").unlink()
    apply(store, tmp_path, prune=True)
    assert members() == []


def test_apply_hook_sees_changed_urls_and_can_refuse(store: Store, tmp_path: Path) -> None:
    write_flow(tmp_path, "A", url="https://a.example.com/r")
    write_flow(tmp_path, "B", url="https://b.example.com/r")

    class Refuse:
        def __init__(self) -> None:
            self.seen: list[tuple[str, str, str]] = []

        def check(self, plan: Plan) -> None:
            self.seen.extend(plan.changed_urls())
            raise ReconcilerError("unreachable: https://b.example.com/r")

        def record(self, store: Store, plan: Plan, applied: list[PlanEntry]) -> None:
            raise AssertionError("not reached")

    hook = Refuse()
    with pytest.raises(ReconcilerError, match="unreachable"):
        apply_flows(store, desired_flows(tmp_path), ApplyOptions(), PROV, hooks=[hook])
    assert sorted(hook.seen) == [
        ("A", "resubmit", "https://a.example.com/r"),
        ("B", "resubmit", "https://b.example.com/r"),
    ]
    assert load_flows(store) == {} and store.revision() == 0
    assert store.query("SELECT * FROM locks") == []  # released on failure


def test_edit_outside_apply_is_stamped_with_who_and_when(store: Store, tmp_path: Path) -> None:
    write_flow(tmp_path, "Orders", batch_size=10)
    apply(store, tmp_path)
    with store.transaction():  # a hand edit that does not say who or when
        store.execute(
            "UPDATE flows SET spec = replace(spec, '\"batchSize\":10', '\"batchSize\":99')"
        )
    (entry,) = plan(store, tmp_path).entries
    assert entry.action is Action.DRIFT
    assert [(c.path, c.before, c.after) for c in entry.changes] == [("dispatch.batchSize", 99, 10)]
    expected_by = "outside apply (sql)" if store.dialect == "sqlite" else "postgres"
    assert entry.changed_by in (expected_by, os.environ.get("USER"))
    assert entry.changed_at is not None and entry.changed_at > utcnow()[:10]
    from reconciler.core.statuses import StatusTable
    from reconciler.store.status_report import read_status

    report = read_status(store, StatusTable.default())
    (flow,) = report.flows
    assert (flow.state, flow.changed_by) == ("drift", entry.changed_by) and not report.ok
    apply(store, tmp_path)
    assert not plan(store, tmp_path).has_changes
    assert [f.state for f in read_status(store, StatusTable.default()).flows] == ["managed"]


def test_flows_state_moves_with_every_write_outside_apply(store: Store, tmp_path: Path) -> None:
    write_flows(tmp_path, 3)
    apply(store, tmp_path)
    revision, outside = store.flows_state()
    assert revision == 1
    assert apply(store, tmp_path).applied == [] and store.flows_state() == (revision, outside)
    spec = load_flows(store, specs=True)["flow 00001"].spec
    edits = [
        # a content edit, a stamp-only edit, an insert that poses as apply, a delete
        (
            "UPDATE flows SET spec = replace(spec, 'test flow', 'edited') WHERE name = ?",
            ("flow 00001",),
        ),
        ("UPDATE flows SET applied_by = 'someone' WHERE name = ?", ("flow 00002",)),
        (
            "INSERT INTO flows (name, spec, updated_at) VALUES (?, ?, ?)",
            ("by hand", spec, "2026-11-28T00:00:00.000000Z"),
        ),
        ("DELETE FROM flows WHERE name = ?", ("by hand",)),
    ]
    seen = [store.flows_state()]
    for sql, params in edits:
        with store.transaction():
            store.execute(sql, params)
        seen.append(store.flows_state())
    assert [r for r, _ in seen] == [revision] * len(seen)
    assert all(b[1] > a[1] for a, b in itertools.pairwise(seen)), seen
    # Apply's own writes (restoring the drift) move the revision, not the outside count.
    result = apply(store, tmp_path)
    assert {e.action for e in result.applied} == {Action.DRIFT}
    assert store.flows_state() == (revision + 1, seen[-1][1])


def test_apply_reuses_the_plan_made_before_the_lock_only_if_nothing_changed(
    store: Store, tmp_path: Path
) -> None:
    write_flows(tmp_path, 4)
    desired = desired_flows(tmp_path)
    planned = make_plan(store, desired)
    result = apply_flows(store, desired, ApplyOptions(), PROV, planned=planned)
    assert result.plan is planned and len(result.applied) == 4

    # An edit made outside apply between plan and apply: the plan is made again, and the
    # drift it missed is restored and audited.
    write_flow(tmp_path, "flow 00000", folder="team0", url="https://changed.example.com/r")
    desired = desired_flows(tmp_path)
    planned = make_plan(store, desired)
    assert [e.action for e in planned.changes] == [Action.UPDATE]
    with store.transaction():
        store.execute(
            "UPDATE flows SET spec = replace(spec, 'test flow', 'by hand') WHERE name = ?",
            ("flow 00001",),
        )
    result = apply_flows(store, desired, ApplyOptions(), PROV, planned=planned)
    assert result.plan is not planned
    assert {(e.action, e.flow) for e in result.applied} == {
        (Action.UPDATE, "flow 00000"),
        (Action.DRIFT, "flow 00001"),
    }

    # Another apply landing in between (revision moves), or a different tree: no reuse.
    write_flow(tmp_path, "flow 00002", folder="team2", url="https://other.example.com/r")
    newer = desired_flows(tmp_path)
    stale = make_plan(store, desired)
    apply_flows(store, newer, ApplyOptions(), PROV)
    result = apply_flows(store, desired, ApplyOptions(), PROV, planned=stale)
    assert result.plan is not stale and [e.flow for e in result.applied] == ["flow 00002"]
    # (the store now holds `desired` again; a plan of the newer tree would update 00002)
    other_tree = make_plan(store, newer)
    assert [e.flow for e in other_tree.changes] == ["flow 00002"]
    result = apply_flows(store, desired, ApplyOptions(), PROV, planned=other_tree)
    assert result.plan is not other_tree and result.applied == []
