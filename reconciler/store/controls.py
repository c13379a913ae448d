"""The replay controls' state changes of a request in the ledger: held (waiting for its
schedule, suspended, awaiting an owner's approval), released again, cancelled, approved.
Each change of state is an audit record with the actor and the commit.

The request's status is what a dispatch running in another process sees: its claims take
batches only of a request that is `dispatching` (see batch_store._claim), so a suspend or a
cancel recorded here stops it at its next claim."""

from __future__ import annotations

import json
from typing import Any

from reconciler.store import audit
from reconciler.store import requests as requests_store
from reconciler.store.base import Store, utcnow

WAITING = "waiting"
SUSPENDED = "suspended"
CANCELLED = requests_store.CANCELLED
AWAITING_APPROVAL = "awaiting_approval"
HELD = frozenset({WAITING, SUSPENDED, AWAITING_APPROVAL})
B_CANCELLED = requests_store.CANCELLED

# The audit event of entering each state (history --format json: detail.event), and each
# event's outcome (what `history --outcome` filters).
_EVENTS = {WAITING: "wait", SUSPENDED: "suspend", AWAITING_APPROVAL: "await-approval"}
_OUTCOMES = {
    "wait": WAITING,
    "suspend": SUSPENDED,
    "await-approval": AWAITING_APPROVAL,
    "resume": "resumed",
    "cancel": CANCELLED,
    "approve": "approved",
}


def hold(
    store: Store,
    name: str,
    state: str,
    *,
    reason: str,
    next_allowed: str | None = None,
    missing: dict[str, list[str]] | None = None,
    actor: str | None,
    commit_sha: str | None,
) -> bool:
    """Put the request in a held state with why (and until when); no batch is touched.
    Audited when the state changes (a scheduled re-run that finds it still waiting adds
    nothing to the history). True when it was not in this state before."""
    assert state in HELD
    with store.transaction():
        row = requests_store.get_request(store, name)
        assert row is not None
        detail = dict(row.detail)
        detail.pop("error", None)
        detail["hold"] = {
            "state": state,
            "reason": reason,
            "nextAllowed": next_allowed,
            **({"missing": missing} if missing else {}),
        }
        store.execute(
            "UPDATE requests SET status = ?, detail = ?, finished_at = NULL WHERE name = ?",
            (state, json.dumps(detail, sort_keys=True), name),
        )
        changed = row.status != state
        if changed:
            _audit(store, row, _EVENTS[state], reason, actor, commit_sha, nextAllowed=next_allowed)
    return changed


def release(store: Store, name: str, *, actor: str | None, commit_sha: str | None) -> None:
    """The request may send again: its hold is dropped (the caller moves it to
    dispatching). Leaving `suspended` is a resume in the history."""
    with store.transaction():
        row = requests_store.get_request(store, name)
        assert row is not None
        if "hold" not in row.detail and row.status not in HELD:
            return
        detail = {k: v for k, v in row.detail.items() if k != "hold"}
        store.execute(
            "UPDATE requests SET detail = ? WHERE name = ?",
            (json.dumps(detail, sort_keys=True), name),
        )
        if row.status == SUSPENDED:
            _audit(store, row, "resume", "suspend: false: the rest is sent", actor, commit_sha)


def cancel(
    store: Store, name: str, *, reason: str, actor: str | None, commit_sha: str | None
) -> int:
    """Every pending batch becomes cancelled (never sent) and the request `cancelled`, a
    final state. Batches in flight in another process finish. Called again for a request
    already cancelled, it cancels what a dispatch gave back since (audited once). Returns
    how many batches were cancelled."""
    now = utcnow()
    with store.transaction():
        row = requests_store.get_request(store, name)
        assert row is not None
        cursor = store.execute(
            "UPDATE batches SET status = ?, reason = ?, claimed_by = NULL, lease_until = NULL, "
            "updated_at = ? WHERE request = ? AND status = ?",
            (B_CANCELLED, reason, now, name, requests_store.B_PENDING),
        )
        cancelled = int(cursor.rowcount or 0)
        before = int((row.detail.get("cancelled") or {}).get("batches") or 0)
        detail = {k: v for k, v in row.detail.items() if k not in ("hold", "error")}
        detail["cancelled"] = {"reason": reason, "batches": before + cancelled}
        store.execute(
            "UPDATE requests SET status = ?, detail = ?, finished_at = ? WHERE name = ?",
            (CANCELLED, json.dumps(detail, sort_keys=True), now, name),
        )
        if row.status != CANCELLED:
            _audit(store, row, "cancel", reason, actor, commit_sha, batches=cancelled)
    return cancelled


def record_approval(
    store: Store,
    name: str,
    approvers: dict[str, list[str]],
    pulls: list[int],
    *,
    actor: str | None,
    commit_sha: str | None,
) -> None:
    """An owner approval found: kept with the request (a later dispatch of the rest does
    not ask again) and audited naming the approvers."""
    with store.transaction():
        row = requests_store.get_request(store, name)
        assert row is not None
        detail = {k: v for k, v in row.detail.items() if k != "hold"}
        detail["approval"] = {"approvers": approvers, "pullRequests": pulls}
        store.execute(
            "UPDATE requests SET detail = ? WHERE name = ?",
            (json.dumps(detail, sort_keys=True), name),
        )
        who = "; ".join(f"{flow}: {', '.join(logins)}" for flow, logins in approvers.items())
        _audit(
            store,
            row,
            "approve",
            f"approved by {who or 'no owner needed'}",
            actor,
            commit_sha,
            approvers=approvers,
            pullRequests=pulls,
        )


def still_dispatching(store: Store, name: str) -> bool:
    row = store.query_one("SELECT status FROM requests WHERE name = ?", (name,))
    return row is not None and row[0] == requests_store.DISPATCHING


def _audit(
    store: Store,
    row: requests_store.RequestRow,
    event: str,
    note: str,
    actor: str | None,
    commit_sha: str | None,
    **extra: Any,
) -> None:
    store.execute(
        audit.AUDIT_INSERT,
        audit.audit_row(
            event,
            row.name,
            action=row.action,
            detail={
                "outcome": _OUTCOMES[event],
                "note": note,
                **{k: v for k, v in extra.items() if v},
            },
            commit_sha=commit_sha,
            actor=actor,
        ),
    )
