"""Reading the audit log (`reconciler history`). Filters are data: an option name maps to
one SQL condition over `audit a` with one `?`, so a new filter is one line here plus one
click option (e.g. `chain_id`: an EXISTS over batch_runs/runs)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.errors import UsageError
from reconciler.store.base import Store

HISTORY_FILTERS: dict[str, str] = {
    "flow": "a.flow = ?",
    "action": "a.action = ?",
    "kind": "a.kind = ?",
    "request": "a.request = ?",
    "actor": "a.actor = ?",
    # dispatch records (kind request|batch) carry detail.outcome; details are compact JSON
    "outcome": "a.detail LIKE '%\"outcome\":\"' || ? || '\"%'",
    # dispatch records of requests (and exactly the batches) that carried a run of the chain
    "chain_id": (
        "EXISTS (SELECT 1 FROM runs r JOIN batch_runs br ON br.run_pk = r.pk "
        "JOIN batches b ON b.request = br.request AND b.flow = br.flow AND b.seq = br.seq "
        "WHERE r.chain_id = ? AND br.request = a.request AND (a.kind <> 'batch' OR "
        "a.detail LIKE '%\"idempotencyKey\":\"' || b.idempotency_key || '\"%'))"
    ),
}


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
        where.append(HISTORY_FILTERS[key])
        params.append(value)
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
