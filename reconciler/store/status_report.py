"""The status document read from the store: a handful of grouped queries (no query per
flow or per batch), then `core.attention` decides what needs attention first.

Costs are bounded by the ledger's and the flows' size, not by the runs': the runs are only
counted through the membership index (run_flows), and replay outcomes are computed for the
requests shown (those needing attention and the newest ones), one grouped query each."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler.core.attention import mark_cleared, replay_outcome, request_needs_attention
from reconciler.core.attention import with_attention as _with_attention
from reconciler.core.status_report import (
    RUN_GROUPS,
    AuditLine,
    EndpointStatus,
    FlowStatus,
    LastApply,
    LastDispatch,
    LockStatus,
    ReplayOutcome,
    RequestStatus,
    StatusReport,
    iso,
)
from reconciler.core.statuses import StatusTable
from reconciler.store.audit import query_audit
from reconciler.store.base import Store, redact_url
from reconciler.store.checks import latest_checks, stored_endpoints
from reconciler.store.flows import fill_specs, load_flows
from reconciler.store.lock import current_holder
from reconciler.store.replay import chain_outcomes

CHART_DAYS = 14
AUDIT_SHOWN = 50
NEWEST_REQUESTS = 50
_DAY_US = 86_400_000_000
_HEALTH_ORDER = ("unreachable", "failing", "warning", "unchecked", "ok")


def read_status(
    store: Store,
    statuses: StatusTable,
    *,
    now: datetime | None = None,
    days: int = CHART_DAYS,
    newest_requests: int = NEWEST_REQUESTS,
    request_files: Sequence[tuple[str, str]] = (),
) -> StatusReport:
    """The status document; `request_files` (name, path) are the request files in Git,
    those the ledger does not hold are listed as not dispatched."""
    now = now or datetime.now(UTC)
    first_day = datetime(now.year, now.month, now.day, tzinfo=UTC) - timedelta(days=days - 1)
    last_dispatch = _last_dispatches(store)
    flows = _flows(store, statuses, first_day, days, last_dispatch[0])
    requests, batches_by_status = _requests(store)
    shown = _shown(requests, newest_requests)
    shown = [_with_replay(store, r, statuses) for r in shown]
    by_status: dict[str, int] = {}
    for r in requests:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    report = StatusReport(
        generated_at=iso(now) or "",
        store=redact_url(store.url),
        days=tuple((first_day + timedelta(days=i)).date().isoformat() for i in range(days)),
        flows=tuple(flows),
        endpoints=tuple(_endpoints(store, now, last_dispatch[1])),
        requests=tuple(shown),
        requests_total=len(requests),
        requests_by_status=by_status,
        batches_by_status=batches_by_status,
        audit=tuple(_audit(store)),
        lock=_lock(store, now),
        last_apply=_last_apply(store),
        revision=store.revision(),
        not_dispatched=_not_dispatched(store, request_files),
    )
    return _with_attention(report)


def _not_dispatched(store: Store, files: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    if not files:
        return ()
    known = {name for (name,) in store.query("SELECT name FROM requests")}
    return tuple((name, path) for name, path in files if name not in known)


# -- flows -------------------------------------------------------------------------------
def _flows(
    store: Store,
    statuses: StatusTable,
    first_day: datetime,
    days: int,
    last_dispatch: dict[str, LastDispatch],
) -> list[FlowStatus]:
    stored = load_flows(store)
    fill_specs(store, stored, [f.name for f in stored.values() if f.current_hash() is None])
    runs: dict[str, dict[str, int]] = {}
    for flow, status_id, count in store.query(
        "SELECT flow, status_id, COUNT(*) FROM run_flows GROUP BY flow, status_id"
    ):
        group = statuses.group_of(status_id) or "Other"
        by_group = runs.setdefault(flow, dict.fromkeys(RUN_GROUPS, 0))
        by_group[group] += int(count)
    errors = _error_days(store, statuses, first_day, days)
    return [
        FlowStatus(
            name=f.name,
            folder=f.folder,
            path=f.path,
            managed=bool(f.managed),
            drifted=f.drifted,
            changed_at=f.updated_at if f.touched_outside_apply else None,
            changed_by=f.updated_by if f.touched_outside_apply else None,
            applied_at=f.applied_at,
            applied_commit=f.applied_commit,
            runs=runs.get(f.name, dict.fromkeys(RUN_GROUPS, 0)),
            error_days=tuple(errors.get(f.name, [0] * days)),
            last_dispatch=last_dispatch.get(f.name),
        )
        for f in sorted(stored.values(), key=lambda f: (f.folder, f.name))
    ]


def _error_days(
    store: Store, statuses: StatusTable, first_day: datetime, days: int
) -> dict[str, list[int]]:
    """Error-group runs per flow per UTC day, from the membership index."""
    codes = sorted(statuses.group_codes("Error"))
    if not codes:
        return {}
    start_us = int(first_day.timestamp()) * 1_000_000
    found: dict[str, list[int]] = {}
    for flow, day, count in store.query(
        f"SELECT flow, (execution_us - ?) / {_DAY_US}, COUNT(*) FROM run_flows "
        f"WHERE status_id IN ({', '.join('?' * len(codes))}) "
        "AND execution_us >= ? AND execution_us < ? GROUP BY 1, 2",
        (start_us, *codes, start_us, start_us + days * _DAY_US),
    ):
        found.setdefault(flow, [0] * days)[int(day)] = int(count)
    return found


def _last_apply(store: Store) -> LastApply | None:
    last = store.query_one(
        "SELECT at, actor, commit_sha FROM audit WHERE kind = 'flow' ORDER BY id DESC LIMIT 1"
    )
    if not last:
        return None
    changes = store.query_one(
        "SELECT COUNT(*) FROM audit WHERE kind = 'flow' AND at = ?", (last[0],)
    )
    return LastApply(last[0], last[1], last[2], int(changes[0]) if changes else 0)


# -- dispatch and endpoints ------------------------------------------------------------
def _last_dispatches(store: Store) -> tuple[dict[str, LastDispatch], dict[str, LastDispatch]]:
    """The latest batch that was sent at least once, per flow and per URL (one scan)."""
    newest = "ORDER BY updated_at DESC, request DESC, seq DESC"
    rows = store.query(
        "SELECT request, flow, seq, url, status, attempts, http_status, reason, updated_at, "
        "by_flow, by_url FROM (SELECT b.*, "
        f"ROW_NUMBER() OVER (PARTITION BY flow {newest}) AS by_flow, "
        f"ROW_NUMBER() OVER (PARTITION BY url {newest}) AS by_url "
        "FROM batches b WHERE attempts > 0) latest WHERE by_flow = 1 OR by_url = 1"
    )
    per_flow: dict[str, LastDispatch] = {}
    per_url: dict[str, LastDispatch] = {}
    for row in rows:
        last = LastDispatch(
            request=row[0],
            flow=row[1],
            seq=int(row[2]),
            url=row[3],
            status=row[4],
            attempts=int(row[5]),
            http_status=None if row[6] is None else int(row[6]),
            reason=row[7],
            at=row[8],
        )
        if row[9] == 1:
            per_flow[last.flow] = last
        if row[10] == 1:
            per_url[last.url] = last
    return per_flow, per_url


def _endpoints(
    store: Store, now: datetime, last_dispatch: dict[str, LastDispatch]
) -> list[EndpointStatus]:
    """Every URL the stored flows use (every checked URL while there are no flows), worst
    first."""
    in_use = stored_endpoints(store)
    checks = latest_checks(store)
    uses: dict[str, list[tuple[str, str]]] = {}
    for (flow, action), url in sorted(in_use.items()):
        uses.setdefault(url, []).append((flow, action))
    urls = sorted(uses) if in_use else sorted(checks)
    endpoints = [
        EndpointStatus(url, tuple(uses.get(url, ())), checks.get(url), last_dispatch.get(url), now)
        for url in urls
    ]
    return sorted(endpoints, key=lambda e: (_HEALTH_ORDER.index(e.health), e.url))


# -- requests --------------------------------------------------------------------------
def _requests(store: Store) -> tuple[list[RequestStatus], dict[str, int]]:
    """Every request in the ledger, newest first, with its batch counts and last error;
    and the ledger's batches by state."""
    counts: dict[str, dict[str, list[int]]] = {}
    for request, status, n_batches, n_runs, attempts, sent in store.query(
        "SELECT request, status, COUNT(*), COALESCE(SUM(run_count), 0), "
        "COALESCE(SUM(attempts), 0), SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) "
        "FROM batches GROUP BY request, status"
    ):
        counts.setdefault(request, {})[status] = [
            int(n_batches),
            int(n_runs),
            int(attempts),
            int(sent),
        ]
    errors = {
        request: reason
        for request, reason in store.query(
            "SELECT request, reason FROM (SELECT request, reason, ROW_NUMBER() OVER "
            "(PARTITION BY request ORDER BY updated_at DESC, seq DESC) AS k FROM batches "
            "WHERE status <> 'delivered' AND reason IS NOT NULL) failed WHERE k = 1"
        )
    }
    requests = []
    for row in store.query(
        "SELECT name, action, status, source_path, commit_sha, actor, created_at, started_at, "
        "finished_at, run_count, batch_count, detail, spec FROM requests "
        "ORDER BY created_at DESC, name DESC"
    ):
        name = row[0]
        detail = _json_object(row[11])
        by_state = counts.get(name, {})
        attempts = sum(c[2] for c in by_state.values())
        requests.append(
            RequestStatus(
                name=name,
                action=row[1],
                status=row[2],
                path=row[3],
                commit=row[4],
                actor=row[5],
                created_at=row[6],
                started_at=row[7],
                finished_at=row[8],
                run_count=int(row[9] or 0),
                batch_count=int(row[10] or 0),
                batches={state: c[0] for state, c in by_state.items()},
                runs={state: c[1] for state, c in by_state.items()},
                attempts=attempts,
                retries=attempts - sum(c[3] for c in by_state.values()),
                last_error=_text(detail.get("error")) or errors.get(name),
                from_request=_from_request(row[12]),
                hold=_text((detail.get("hold") or {}).get("reason")),
            )
        )
    totals: dict[str, int] = {}
    for by_state in counts.values():
        for state, c in by_state.items():
            totals[state] = totals.get(state, 0) + c[0]
    return mark_cleared(requests), totals


def _shown(requests: list[RequestStatus], newest: int) -> list[RequestStatus]:
    """Those needing attention by their state, and the newest ones (newest first)."""
    return [r for i, r in enumerate(requests) if i < newest or request_needs_attention(r)]


def _with_replay(store: Store, r: RequestStatus, statuses: StatusTable) -> RequestStatus:
    if not r.runs.get("delivered"):
        return r
    return replace(r, replay=read_replay(store, r.name, statuses))


def read_replay(store: Store, request: str, statuses: StatusTable) -> ReplayOutcome:
    """The replay outcome of one request (`requests status NAME` shows it too)."""
    latest, unchained = chain_outcomes(store, request)
    return replay_outcome(latest, statuses, runs_without_chain=unchained)


def _from_request(spec: str | None) -> str | None:
    data = _json_object(spec)
    select = data.get("select")
    follow = select.get("fromRequest") if isinstance(select, dict) else None
    name = follow.get("name") if isinstance(follow, dict) else None
    return name if isinstance(name, str) else None


def _json_object(text: str | None) -> dict[str, Any]:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


# -- audit and lock ----------------------------------------------------------------------
def _audit(store: Store) -> Iterable[AuditLine]:
    for r in query_audit(store, {}, limit=AUDIT_SHOWN):
        detail = r.detail if isinstance(r.detail, dict) else {}
        seq = detail.get("seq")
        yield AuditLine(
            id=r.id,
            at=r.at,
            actor=r.actor,
            commit=r.commit,
            kind=r.kind,
            action=r.action,
            flow=r.flow,
            request=r.request,
            seq=seq if isinstance(seq, int) else None,
            note=_text(detail.get("note")),
        )


def _lock(store: Store, now: datetime) -> LockStatus | None:
    holder = current_holder(store)
    if holder is None:
        return None
    return LockStatus(
        holder.describe(),
        holder.acquired_at,
        holder.expires_at,
        holder.alive(now.isoformat(timespec="microseconds").replace("+00:00", "Z")),
    )
