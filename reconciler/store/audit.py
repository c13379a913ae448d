"""The audit log: writing the records of requests and batches (freeze, refuse, dispatch,
batch), and reading them (`reconciler history`). Filters are data: an option name maps to
one SQL condition over `audit a` whose every `?` is the option's value, so a new filter is
one line here plus one click option (e.g. `chain_id`: the batches whose frozen runs hold a
run of the chain)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.errors import UsageError
from reconciler.store.base import Store, utcnow

# Batches that carried a run of the chain (`?`): PostgreSQL finds them by the GIN index of
# the frozen run lists, SQLite by expanding them.
_CHAIN_BATCHES = {
    "postgresql": (
        "SELECT b.request, b.idempotency_key FROM batch_runs br JOIN batches b "
        "ON b.request = br.request AND b.flow = br.flow AND b.seq = br.seq "
        "WHERE br.run_pks && ARRAY(SELECT pk FROM runs WHERE chain_id = ?)"
    ),
    "sqlite": (
        "SELECT b.request, b.idempotency_key FROM batch_runs br JOIN batches b "
        "ON b.request = br.request AND b.flow = br.flow AND b.seq = br.seq "
        "WHERE EXISTS (SELECT 1 FROM json_each(br.run_pks) fr "
        "WHERE fr.value IN (SELECT pk FROM runs WHERE chain_id = ?))"
    ),
}
_BATCH_KEY = {
    "postgresql": "(a.detail::json ->> 'idempotencyKey')",
    "sqlite": "json_extract(a.detail, '$.idempotencyKey')",
}

HISTORY_FILTERS: dict[str, str] = {
    "flow": "a.flow = ?",
    "action": "a.action = ?",
    "kind": "a.kind = ?",
    "request": "a.request = ?",
    "actor": "a.actor = ?",
    # dispatch records (kind request|batch) carry detail.outcome; details are compact JSON
    "outcome": "a.detail LIKE '%\"outcome\":\"' || ? || '\"%'",
    # dispatch records of requests (and exactly the batches) that carried a run of the
    # chain; both subqueries are uncorrelated: evaluated once, not per audit record
    "chain_id": (
        "a.request IN (SELECT h.request FROM ({hits}) h) AND CASE WHEN a.kind = 'batch' "
        "THEN {key} IN (SELECT h.idempotency_key FROM ({hits}) h) ELSE TRUE END"
    ),
}


def _condition(key: str, dialect: str) -> str:
    return HISTORY_FILTERS[key].format(hits=_CHAIN_BATCHES[dialect], key=_BATCH_KEY[dialect])


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: str
    actor: str | None
    commit: str | None
    kind: str
    action: str
    flow: str | None
    request: str | None
    before_hash: str | None
    after_hash: str | None
    diff: list[dict[str, Any]]
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "actor": self.actor,
            "commit": self.commit,
            "kind": self.kind,
            "action": self.action,
            "flow": self.flow,
            "request": self.request,
            "beforeHash": self.before_hash,
            "afterHash": self.after_hash,
            "diff": self.diff,
            "detail": self.detail,
        }


def _json(text: str | None, empty: Any) -> Any:
    if not text:
        return empty
    try:
        return json.loads(text)
    except ValueError:
        return empty


def query_audit(
    store: Store, filters: Mapping[str, Any], *, limit: int | None = None
) -> list[AuditRecord]:
    """Newest first. `filters`: HISTORY_FILTERS key -> value (None = not filtered)."""
    where: list[str] = []
    params: list[Any] = []
    for key, value in filters.items():
        if value is None:
            continue
        if key not in HISTORY_FILTERS:
            raise UsageError(f"unknown history filter {key!r}")
        condition = _condition(key, store.dialect)
        where.append(condition)
        params.extend([value] * condition.count("?"))  # a filter may use its value twice
    sql = (
        "SELECT a.id, a.at, a.actor, a.commit_sha, a.kind, a.action, a.flow, a.request, "
        "a.before_hash, a.after_hash, a.diff, a.detail FROM audit a"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY a.id DESC"
        + (" LIMIT ?" if limit is not None else "")
    )
    if limit is not None:
        params.append(limit)
    return [
        AuditRecord(
            id=int(r[0]),
            at=r[1],
            actor=r[2],
            commit=r[3],
            kind=r[4],
            action=r[5],
            flow=r[6],
            request=r[7],
            before_hash=r[8],
            after_hash=r[9],
            diff=_json(r[10], []),
            detail=_json(r[11], {}),
        )
        for r in store.query(sql, params)
    ]


# -- writing (requests and batches) ----------------------------------------------------
AUDIT_INSERT = (
    "INSERT INTO audit (at, actor, commit_sha, kind, action, flow, request, detail) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def write_audit(store: Store, kind_action: str, request: str, **fields: Any) -> None:
    """One audit record now (see `audit_row` for the fields)."""
    store.execute(AUDIT_INSERT, audit_row(kind_action, request, **fields))


def audit_row(
    kind_action: str,
    request: str,
    *,
    action: str,
    detail: dict[str, Any],
    flow: str | None = None,
    commit_sha: str | None = None,
    actor: str | None = None,
) -> tuple[Any, ...]:
    """kind = request|batch, action = resubmit|resume (what `history --action` filters),
    detail.event = freeze|refuse|dispatch|batch, detail.outcome = the result."""
    kind = "batch" if kind_action == "batch" else "request"
    return (
        utcnow(),
        actor,
        commit_sha,
        kind,
        action,
        flow,
        request,
        json.dumps({"event": kind_action, **detail}, sort_keys=True, separators=(",", ":")),
    )
