"""The pure planner: desired vs stored -> entries."""

from __future__ import annotations

import dataclasses
import json

from reconciler.core.fielddiff import diff_values
from reconciler.core.plan import (
    Action,
    DesiredFlow,
    StoredFlow,
    compute_plan,
    flow_spec,
    spec_hash,
)
from reconciler.models import Flow


def make_flow(name: str = "Orders", **changes: object) -> Flow:
    data: dict[str, object] = {
        "apiVersion": "reconciler/v1",
        "kind": "Flow",
        "name": name,
        "mappings": [{"workflowName": "la-orders"}],
        "resubmit": {
            "url": "https://a.example.com/r",
            "headers": [
                {"name": "x-api-key", "valueFrom": {"env": "ORDERS_API_KEY"}},
                {"name": "x-team", "value": "sales"},
            ],
        },
    }
    data.update(changes)
    return Flow.model_validate(data)


def desired(flow: Flow, folder: str = "Sales") -> DesiredFlow:
    return DesiredFlow.of(flow, folder=folder, path=f"flows.d/{folder}/{flow.name}.yaml")


def stored_from(d: DesiredFlow, **changes: object) -> StoredFlow:
    s = StoredFlow(
        d.name,
        d.folder,
        d.path,
        True,
        spec=d.spec,
        applied_hash=d.hash,
        applied_at="2026-01-01T00:00:00.000000Z",
        updated_at="2026-01-01T00:00:00.000000Z",
        updated_by="ci",
    )
    return dataclasses.replace(s, **changes)


def test_spec_keeps_secret_references_and_is_canonical() -> None:
    spec = json.loads(flow_spec(make_flow()))
    assert spec["resubmit"]["headers"][0]["valueFrom"] == {"env": "ORDERS_API_KEY"}
    assert spec["dispatch"]["batchSize"] == 50  # defaults filled in...
    assert flow_spec(make_flow(dispatch={"batchSize": 50})) == flow_spec(make_flow())  # ...so equal


def test_create_noop_and_delete() -> None:
    a, b = desired(make_flow("A")), desired(make_flow("B"))
    gone = stored_from(desired(make_flow("Gone")))
    plan = compute_plan([a, b], {"B": stored_from(b), "Gone": gone}, store_revision=3)
    assert [(e.action, e.flow) for e in plan.entries] == [
        (Action.CREATE, "A"),
        (Action.DELETE, "Gone"),
    ]
    assert plan.noop == 1 and plan.store_revision == 3 and plan.has_changes
    assert plan.counts()["noop"] == 1


def test_update_diffs_headers_by_name_with_references() -> None:
    old = desired(make_flow())
    new_flow = make_flow(
        resubmit={
            "url": "https://b.example.com/r",
            "headers": [
                {"name": "x-team", "value": "sales"},
                {"name": "x-api-key", "valueFrom": {"env": "NEW_KEY"}},
            ],
        }
    )
    plan = compute_plan([desired(new_flow)], {"Orders": stored_from(old)}, store_revision=1)
    (entry,) = plan.entries
    assert entry.action is Action.UPDATE
    paths = {c.path: (c.before, c.after) for c in entry.changes}
    assert paths == {
        "resubmit.url": ("https://a.example.com/r", "https://b.example.com/r"),
        "resubmit.headers[x-api-key].valueFrom.env": ("ORDERS_API_KEY", "NEW_KEY"),
    }
    assert entry.changed_urls() == {"resubmit": "https://b.example.com/r"}
    assert not entry.mappings_changed


def test_folder_move_is_an_update_and_mapping_change_is_flagged() -> None:
    d = desired(make_flow(mappings=[{"domain": "HR"}]), folder="HR")
    s = stored_from(desired(make_flow()))
    (entry,) = compute_plan([d], {"Orders": s}, store_revision=1).entries
    paths = {c.path for c in entry.changes}
    assert {"folder", "file", "mappings[0].workflowName", "mappings[0].domain"} <= paths
    assert entry.mappings_changed


def test_drift_shows_the_field_and_who_when_known() -> None:
    d = desired(make_flow())
    edited = d.spec.replace("https://a.example.com/r", "https://evil.example.com/r")
    s = stored_from(d, spec=edited, updated_at="2026-02-02T00:00:00Z", updated_by="dba")
    (entry,) = compute_plan([d], {"Orders": s}, store_revision=1).entries
    assert entry.action is Action.DRIFT and not entry.git_changed
    assert [(c.path, c.before, c.after) for c in entry.changes] == [
        ("resubmit.url", "https://evil.example.com/r", "https://a.example.com/r")
    ]
    assert (entry.changed_by, entry.changed_at) == ("dba", "2026-02-02T00:00:00Z")
    assert entry.before_hash == spec_hash(edited) and entry.after_hash == d.hash


def test_drift_with_an_unreadable_spec_does_not_fail_the_plan() -> None:
    d = desired(make_flow())
    (entry,) = compute_plan(
        [d], {"Orders": stored_from(d, spec="{broken")}, store_revision=1
    ).entries
    assert entry.action is Action.DRIFT
    assert any("unreadable" in c.path for c in entry.changes)
    assert entry.changed_by is None  # updated_at == applied_at: unknown


def test_unmanaged_is_left_alone_unless_adopt() -> None:
    d = desired(make_flow())
    s = stored_from(d, managed=False, applied_hash=None, spec=flow_spec(make_flow(description="x")))
    other = stored_from(desired(make_flow("Legacy")), managed=False, applied_hash=None)
    plan = compute_plan([d], {"Orders": s, "Legacy": other}, store_revision=1)
    assert {(e.action, e.flow) for e in plan.entries} == {
        (Action.UNMANAGED, "Orders"),
        (Action.UNMANAGED, "Legacy"),
    }
    assert not plan.has_changes
    adopted = compute_plan([d], {"Orders": s, "Legacy": other}, store_revision=1, adopt=True)
    assert {(e.action, e.flow) for e in adopted.entries} == {
        (Action.ADOPT, "Orders"),
        (Action.UNMANAGED, "Legacy"),
    }


def test_literal_secret_header_values_are_masked_in_diffs() -> None:
    before = {"resubmit": {"headers": [{"name": "Authorization", "value": "Bearer abc"}]}}
    after = {"resubmit": {"headers": [{"name": "Authorization", "value": "Bearer xyz"}]}}
    (change,) = diff_values(before, after)
    assert change.path == "resubmit.headers[Authorization].value"
    assert (change.before, change.after) == ("***", "***")


def test_digest_and_tree_hash_follow_content() -> None:
    a = desired(make_flow("A"))
    p1 = compute_plan([a], {}, store_revision=0)
    p2 = compute_plan([a], {}, store_revision=0)
    assert p1.digest() == p2.digest() and p1.tree_hash == p2.tree_hash
    p3 = compute_plan([desired(make_flow("A", description="y"))], {}, store_revision=0)
    assert p3.digest() != p1.digest() and p3.tree_hash != p1.tree_hash
