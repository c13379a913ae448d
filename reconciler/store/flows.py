"""The flows table and the flow audit records: read stored flows, write a plan's changes.

Writes are batched (one COPY / executemany per kind of change, never a round trip per flow
where it can be avoided); the caller owns the transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.core.plan import Action, PlanEntry, StoredFlow
from reconciler.errors import InternalError
from reconciler.models import Flow
from reconciler.store.base import Store
from reconciler.store.membership import rebuild_flow

# Written by apply, in this order.
FLOW_COLUMNS = (
    "name",
    "folder",
    "source_path",
    "spec",
    "managed",
    "applied_hash",
    "applied_at",
    "applied_by",
    "applied_commit",
    "updated_at",
    "updated_by",
)
# Read for planning: everything but the spec (StoredFlow's leading fields, in order).
HEAD_COLUMNS = tuple(c for c in FLOW_COLUMNS if c != "spec")
# PostgreSQL hashes the stored spec itself (C speed, no transfer): drift is exact there.
PG_SPEC_HASH = "'sha256:' || encode(sha256(convert_to(spec, 'UTF8')), 'hex')"
IN_CHUNK = 500
AUDIT_COLUMNS = (
    "at",
    "actor",
    "commit_sha",
    "kind",
    "action",
    "flow",
    "before_hash",
    "after_hash",
    "diff",
    "detail",
)


def load_flows(store: Store, *, specs: bool = False) -> dict[str, StoredFlow]:
    """Every stored flow; specs only when asked (see `fill_specs`)."""
    columns = list(HEAD_COLUMNS)
    if specs:
        columns.append("spec")
    elif store.dialect == "postgresql":
        columns.append(f"NULL, {PG_SPEC_HASH}")
    return {r[0]: StoredFlow(*r) for r in store.query(f"SELECT {', '.join(columns)} FROM flows")}


def flow_models(store: Store) -> dict[str, Flow | None]:
    """Every stored flow as its model; None for a spec a hand edit made unreadable (the
    preview then says the flow cannot be used rather than failing)."""
    models: dict[str, Flow | None] = {}
    for name, spec in store.query("SELECT name, spec FROM flows"):
        try:
            models[name] = Flow.model_validate_json(spec)
        except ValueError:
            models[name] = None
    return models


def fill_specs(store: Store, flows: dict[str, StoredFlow], names: Sequence[str]) -> None:
    """Load the specs of `names` into `flows` (all at once when most are needed)."""
    if not names:
        return
    if len(names) > len(flows) // 2:
        rows = store.query("SELECT name, spec FROM flows")
    else:
        rows = []
        for i in range(0, len(names), IN_CHUNK):
            chunk = names[i : i + IN_CHUNK]
            rows += store.query(
                f"SELECT name, spec FROM flows WHERE name IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
    for name, spec in rows:
        if name in flows:
            flows[name].spec = spec


@dataclass(frozen=True)
class Stamp:
    """When, by whom and from which commit a change is written."""

    at: str
    actor: str
    commit: str | None


def write_changes(
    store: Store, entries: Sequence[PlanEntry], stamp: Stamp, *, revision: int
) -> None:
    """Write create/update/drift/adopt/delete entries and one audit record each.
    Membership (run_flows) follows the new mappings."""
    creates: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    deletes: list[tuple[str]] = []
    for e in entries:
        if e.action is Action.DELETE:
            deletes.append((e.flow,))
            continue
        d = e.desired
        if d is None:
            raise ValueError(f"plan entry {e.action} {e.flow!r} has no desired flow")
        values = (d.folder, d.path, d.spec, 1, d.hash, stamp.at, stamp.actor, stamp.commit)
        if e.action is Action.CREATE:
            creates.append((d.name, *values, stamp.at, stamp.actor))
        else:
            updates.append((*values, stamp.at, stamp.actor, d.name))
    audited = _insert_created(store, creates, stamp)
    if updates:
        store.executemany(
            "UPDATE flows SET folder = ?, source_path = ?, spec = ?, managed = ?, "
            "applied_hash = ?, applied_at = ?, applied_by = ?, applied_commit = ?, "
            "updated_at = ?, updated_by = ? WHERE name = ?",
            updates,
        )
    if deletes:
        store.executemany("DELETE FROM flows WHERE name = ?", deletes)
    _follow_membership(store, entries)
    store.insert_many(
        "audit",
        AUDIT_COLUMNS,
        [
            _audit_row(e, stamp, revision)
            for e in entries
            if not (audited and e.action is Action.CREATE)
        ],
    )


def _insert_created(store: Store, creates: list[tuple[Any, ...]], stamp: Stamp) -> bool:
    """Insert new flows; on SQLite also their audit records, copied in SQL from the rows
    just written (a create's record is its name and hash): a first apply of 10,000 flows
    then costs one bulk insert plus a copy, not two bulk inserts from Python. True when
    the create records were written here. (They come first in a plan's order, so the
    records keep the plan's order either way.)"""
    if store.dialect != "sqlite" or not creates:
        store.insert_many("flows", FLOW_COLUMNS, creates)
        return False
    # New rows get rowids above the current maximum, in insertion order.
    top = store.query_one("SELECT COALESCE(MAX(rowid), 0) FROM flows")
    assert top is not None
    store.insert_many("flows", FLOW_COLUMNS, creates)
    copied = store.execute(
        "INSERT INTO audit (at, actor, commit_sha, kind, action, flow, after_hash) "
        "SELECT ?, ?, ?, 'flow', 'create', name, applied_hash FROM flows "
        "WHERE rowid > ? ORDER BY rowid",
        (stamp.at, stamp.actor, stamp.commit, top[0]),
    ).rowcount
    if copied != len(creates):  # never expected; the transaction rolls back
        raise InternalError(f"audit of created flows: copied {copied} of {len(creates)} records")
    return True


def _follow_membership(store: Store, entries: Sequence[PlanEntry]) -> None:
    gone = [(e.flow,) for e in entries if e.action is Action.DELETE]
    if gone:
        store.executemany("DELETE FROM run_flows WHERE flow = ?", gone)
    rebuild = [e for e in entries if e.mappings_changed and e.action is not Action.DELETE]
    # With no runs imported yet there is nothing to select; skip 10,000 empty statements.
    if rebuild and store.query_one("SELECT 1 FROM runs LIMIT 1") is not None:
        for e in rebuild:
            assert e.desired is not None
            rebuild_flow(store, e.flow, e.desired.flow.mappings)


def _audit_row(e: PlanEntry, stamp: Stamp, revision: int) -> tuple[Any, ...]:
    # Records of one apply share `at`; detail only when there is something to say (a bulk
    # create of 10,000 flows should not pay for 10,000 json.dumps of nothing).
    detail: dict[str, Any] = {}
    if e.note and e.action is not Action.CREATE:
        detail["note"] = e.note
    if e.action is Action.DELETE:
        detail["path"], detail["folder"] = e.path, e.folder
    if e.changed_by or e.changed_at:
        detail["changedBy"], detail["changedAt"] = e.changed_by, e.changed_at
    if detail:
        detail["revision"] = revision
    diff = json.dumps([c.to_json() for c in e.changes], ensure_ascii=False) if e.changes else None
    return (
        stamp.at,
        stamp.actor,
        stamp.commit,
        "flow",
        str(e.action),
        e.flow,
        e.before_hash,
        e.after_hash,
        diff,
        json.dumps(detail, ensure_ascii=False) if detail else None,
    )
