"""What needs attention first, decided from the status document (pure).

A request that failed, was refused or is waiting is listed by name until a follow-up
request completes what it left: a request whose `fromRequest` names it and that completed
(or was itself followed up by one that did). Endpoints are listed when their check failed
or their last dispatch POST failed (a HEAD that answers says little about a POST that gets
503 every time); then certificates that expire soon, drifted flows and the lock holder."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from reconciler.core.status_report import (
    TONES,
    Attention,
    EndpointStatus,
    FlowStatus,
    LockStatus,
    ReplayOutcome,
    RequestStatus,
    StatusReport,
)
from reconciler.core.statuses import StatusTable
from reconciler.core.words import plural

_KIND_ORDER = {"request": 0, "endpoint": 1, "flow": 2, "lock": 3}
LISTED_TONES = ("error", "warning", "notice")


def mark_cleared(requests: Sequence[RequestStatus]) -> list[RequestStatus]:
    """Each request with `cleared_by` set to the completed follow-up that clears it."""
    children: dict[str, list[RequestStatus]] = {}
    for r in sorted(requests, key=lambda r: (r.created_at, r.name)):
        if r.from_request and r.from_request != r.name:
            children.setdefault(r.from_request, []).append(r)
    memo: dict[str, str | None] = {}

    def completed_follow_up(name: str, seen: frozenset[str]) -> str | None:
        if name in memo:
            return memo[name]
        found = None
        for child in children.get(name, ()):
            if child.name in seen:
                continue  # a loop of fromRequest names: nothing completes it
            if child.status == "completed":
                found = child.name
            else:
                found = completed_follow_up(child.name, seen | {child.name})
            if found:
                break
        memo[name] = found
        return found

    return [
        replace(r, cleared_by=completed_follow_up(r.name, frozenset({r.name}))) for r in requests
    ]


def request_needs_attention(r: RequestStatus) -> bool:
    if r.cleared_by:
        return False
    return r.look.tone in LISTED_TONES or bool(r.replay and r.replay.failed_again)


def replay_outcome(
    latest: Mapping[tuple[bool, int | None], int],
    statuses: StatusTable,
    *,
    runs_without_chain: int,
) -> ReplayOutcome:
    """`latest`: (has a later run, its statusId) -> chains, one entry per chain."""
    completed = failed = other = none = 0
    for (has_later, status_id), count in latest.items():
        group = statuses.group_of(status_id) if has_later else None
        if not has_later:
            none += count
        elif group == "Completed":
            completed += count
        elif group == "Error":
            failed += count
        else:
            other += count
    return ReplayOutcome(
        chains=completed + failed + other + none,
        completed=completed,
        failed_again=failed,
        other=other,
        none_yet=none,
        runs_without_chain=runs_without_chain,
    )


def _request_items(r: RequestStatus) -> Iterable[Attention]:
    if r.cleared_by:
        return
    look = r.look
    error = f" (last error: {r.last_error})" if r.last_error else ""
    follow_up = (
        f"fix the cause, then add a request with fromRequest: {{name: {r.name}}}; "
        "once it completes, this clears"
    )
    failed_runs = r.runs.get("failed", 0)
    if r.status == "completed_with_failures":
        message = f"{failed_runs:,} of {plural(r.run_count, 'run')} failed{error}"
        hint: str | None = follow_up
    elif r.status == "failed":
        message = (
            f"failed: {failed_runs + r.runs.get('pending', 0):,} of {plural(r.run_count, 'run')} "
            f"not delivered{error}"
            if r.run_count
            else f"failed{error}"
        )
        hint = follow_up
    elif r.status == "refused":
        message = f"refused{': ' + r.last_error if r.last_error else ''}"
        hint = "add a new request with a narrower selection or a higher limits.maxRuns"
    elif r.status == "waiting":
        message = f"waiting for its schedule (not a failure){': ' + r.hold if r.hold else ''}"
        hint = "the next `reconciler requests dispatch` inside its schedule sends it"
    elif r.status == "suspended":
        message = "suspended (suspend: true in its file); no further batch is sent"
        hint = "set suspend: false to go on"
    elif r.status == "awaiting_approval":
        message = f"awaiting an owner's approval, nothing sent{': ' + r.hold if r.hold else ''}"
        hint = "an owner approves the pull request that merged it; the next dispatch sends it"
    else:
        message = f"{look.label}{error}"
        hint = None
    if look.tone in LISTED_TONES:
        yield Attention("request", r.name, look.tone, f"request {r.name}: {message}", hint, r.path)
    if r.replay and r.replay.failed_again:
        yield Attention(
            "request",
            r.name,
            "warning",
            f"request {r.name}: {r.replay.failed_again} of {r.replay.chains} replayed chains "
            "failed again",
            f"a request with fromRequest: {{name: {r.name}, outcome: failed-again}} selects "
            "the runs that failed again",
            r.path,
        )


def _not_dispatched_item(name: str, path: str) -> Attention:
    """A request file the ledger does not hold: merged but not dispatched yet, or
    dispatched when it selected no runs (it stays pending, nothing frozen)."""
    return Attention(
        "request",
        name,
        "notice",
        f"request {name}: pending, not in the store yet (not dispatched, or it selected no runs)",
        "`reconciler requests preview` shows what it selects now; the next "
        "`reconciler requests dispatch` sends it once it selects runs",
        path,
    )


def _endpoint_items(e: EndpointStatus, paths: Mapping[str, str | None]) -> Iterable[Attention]:
    uses = ", ".join(sorted({flow for flow, _ in e.uses})) or "no stored flow"
    path = next((paths.get(flow) for flow, _ in e.uses if paths.get(flow)), None)
    if e.health == "unreachable" and e.check is not None:
        yield Attention(
            "endpoint",
            e.url,
            "error",
            f"endpoint {e.url} is unreachable: {e.check.reason} (checked {e.check.checked_at:%Y-%m-%d %H:%M} UTC)",
            f"used by {uses}; `reconciler check` tests it again",
            path,
        )
    elif e.health == "failing" and e.last_dispatch is not None:
        yield Attention(
            "endpoint",
            e.url,
            "error",
            f"endpoint {e.url}: last dispatch POST {e.last_dispatch.describe()}",
            f"used by {uses}; `reconciler requests status {e.last_dispatch.request}` shows "
            "every batch",
            path,
        )
    elif e.health == "warning" and e.check is not None:
        days = e.cert_days_left
        what = (
            e.check.warnings[0]
            if e.check.warnings
            else f"certificate expires in {days} day{'s' if days != 1 else ''}"
        )
        yield Attention(
            "endpoint", e.url, "warning", f"endpoint {e.url}: {what}", f"used by {uses}", path
        )


def _flow_items(f: FlowStatus) -> Iterable[Attention]:
    if f.drifted:
        who = " ".join(
            part
            for part in (
                f.changed_at and f"at {f.changed_at}",
                f.changed_by and f"by {f.changed_by}",
            )
            if part
        )
        yield Attention(
            "flow",
            f.name,
            "warning",
            f"flow {f.name} drifted: its store copy was changed outside Git"
            + (f" ({who})" if who else ""),
            "`reconciler plan` shows the difference; `reconciler apply` restores the Git version",
            f.path,
        )


def _lock_items(lock: LockStatus | None) -> Iterable[Attention]:
    if lock is None:
        return
    if lock.alive:
        yield Attention(
            "lock",
            "writer",
            "notice",
            f"the store is locked by {lock.description} since {lock.acquired_at} "
            f"(lease until {lock.expires_at})",
            "apply and requests dispatch wait for it",
        )
    else:
        yield Attention(
            "lock",
            "writer",
            "notice",
            f"a store lock left by {lock.description} expired at {lock.expires_at}",
            "the next writer takes it over",
        )


def with_attention(report: StatusReport) -> StatusReport:
    """The report with its attention list (worst first) and its requests in the order the
    page shows them: those needing attention first, then the newest."""
    paths = {f.name: f.path for f in report.flows}
    items = [
        *(item for r in report.requests for item in _request_items(r)),
        *(_not_dispatched_item(name, path) for name, path in report.not_dispatched),
        *(item for e in report.endpoints for item in _endpoint_items(e, paths)),
        *(item for f in report.flows for item in _flow_items(f)),
        *_lock_items(report.lock),
    ]
    items.sort(key=lambda a: (TONES.index(a.tone), _KIND_ORDER.get(a.kind, 9), a.subject))
    ordered = sorted(
        report.requests,
        key=lambda r: (0, TONES.index(r.look.tone)) if request_needs_attention(r) else (1, 0),
    )
    return replace(report, attention=tuple(items), requests=tuple(ordered))
