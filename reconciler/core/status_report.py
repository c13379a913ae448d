"""The status document: what `reconciler status` (every format), the HTML page, the live
server's `/api/status` and `/metrics` show. Pure data, built by `store.status_report` from
one read of the store; `core.attention` decides what needs attention first.

Request and batch states are shown through a table with a default, so a state this tool
does not know yet (a newer tool wrote it) is still shown, by its name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reconciler.core.endpoints import EXPIRY_WARNING_DAYS, CheckResult

# Tones, worst first: every state and attention item has one, and every colour on the
# page goes with the tone's word.
TONES = ("error", "warning", "notice", "info", "ok")


@dataclass(frozen=True)
class StateLook:
    """How a state reads: a label, a symbol beside it, and its tone."""

    label: str
    symbol: str
    tone: str


REQUEST_STATES: dict[str, StateLook] = {
    "pending": StateLook("pending", "○", "info"),
    "dispatching": StateLook("dispatching", "▶", "info"),
    "completed": StateLook("completed", "✓", "ok"),
    "completed_with_failures": StateLook("completed with failures", "⚠", "error"),
    "failed": StateLook("failed", "✗", "error"),
    "refused": StateLook("refused", "⊘", "error"),
    "waiting": StateLook("waiting for its schedule", "◷", "notice"),
    "suspended": StateLook("suspended", "⏸", "notice"),
    "cancelled": StateLook("cancelled", "■", "ok"),
    "awaiting_approval": StateLook("awaiting approval", "✋", "warning"),
}


def request_look(state: str) -> StateLook:
    """A state's look; one this table does not know is shown by its name, as a notice."""
    return REQUEST_STATES.get(state) or StateLook(state.replace("_", " "), "?", "notice")


# Batch states -> the progress bar's segments (anything else counts as still to send).
PROGRESS_SEGMENTS = ("delivered", "failed", "pending", "cancelled")
_SEGMENT_OF = {"delivered": "delivered", "failed": "failed", "cancelled": "cancelled"}

# Status groups in display order; a statusId in no group counts as "Other".
RUN_GROUPS = ("Active", "Error", "Completed", "Ignored", "Cancelled", "Other")


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


@dataclass(frozen=True)
class LastDispatch:
    """The most recent POST (or its outcome) of a batch, for a flow or a URL."""

    request: str
    flow: str
    seq: int
    url: str
    status: str  # the batch's state
    attempts: int
    http_status: int | None
    reason: str | None
    at: str

    @property
    def outcome(self) -> str:
        """delivered | failed | retrying (its last attempt failed) | the batch's state."""
        if self.status in ("delivered", "failed"):
            return self.status
        if self.reason or (self.http_status is not None and not 200 <= self.http_status < 300):
            return "retrying"
        return self.status.replace("_", " ")

    @property
    def post_failed(self) -> bool:
        return self.outcome in ("failed", "retrying")

    def describe(self) -> str:
        http = f"HTTP {self.http_status}" if self.http_status else ""
        why = self.reason or http
        text = f"{self.outcome} (request {self.request}, batch {self.flow}#{self.seq}, {self.at})"
        return f"{text}: {why}" if why and self.outcome != "delivered" else text

    def to_json(self) -> dict[str, Any]:
        return {
            "request": self.request,
            "flow": self.flow,
            "seq": self.seq,
            "url": self.url,
            "batchStatus": self.status,
            "outcome": self.outcome,
            "attempts": self.attempts,
            "httpStatus": self.http_status,
            "reason": self.reason,
            "at": self.at,
        }


@dataclass(frozen=True)
class FlowStatus:
    name: str
    folder: str
    path: str | None
    managed: bool
    drifted: bool
    changed_at: str | None  # when and by whom the store copy was changed outside apply
    changed_by: str | None
    applied_at: str | None
    applied_commit: str | None
    runs: Mapping[str, int]  # runs by status group (RUN_GROUPS)
    error_days: tuple[int, ...]  # Error-group runs per day, oldest first (StatusReport.days)
    last_dispatch: LastDispatch | None = None

    @property
    def state(self) -> str:
        if not self.managed:
            return "unmanaged"
        return "drift" if self.drifted else "managed"

    @property
    def error_total(self) -> int:
        return sum(self.error_days)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "folder": self.folder,
            "path": self.path,
            "state": self.state,
            "managed": self.managed,
            "drifted": self.drifted,
            "changedOutsideGit": (
                {"at": self.changed_at, "by": self.changed_by} if self.drifted else None
            ),
            "appliedAt": self.applied_at,
            "appliedCommit": self.applied_commit,
            "runs": {group: self.runs.get(group, 0) for group in RUN_GROUPS},
            "errorRunsByDay": list(self.error_days),
            "lastDispatch": self.last_dispatch.to_json() if self.last_dispatch else None,
        }


@dataclass(frozen=True)
class EndpointStatus:
    """One URL the stored flows use: its last check and its last dispatch."""

    url: str
    uses: tuple[tuple[str, str], ...]  # (flow, action)
    check: CheckResult | None
    last_dispatch: LastDispatch | None
    now: datetime = field(compare=False)

    @property
    def cert_days_left(self) -> int | None:
        if self.check is None or self.check.cert_expires_at is None:
            return None
        return (self.check.cert_expires_at - self.now).days

    @property
    def health(self) -> str:
        """unreachable (its check) | failing (its last POST) | warning | unchecked | ok."""
        if self.check is not None and not self.check.reachable:
            return "unreachable"
        if self.last_dispatch is not None and self.last_dispatch.post_failed:
            return "failing"
        if self.check is None:
            return "unchecked"
        days = self.cert_days_left
        if self.check.warnings or (days is not None and days < EXPIRY_WARNING_DAYS):
            return "warning"
        return "ok"

    @property
    def reachable(self) -> bool | None:
        """What an operator means: it answers the checks and its last POST did not fail."""
        if self.health in ("unreachable", "failing"):
            return False
        return None if self.check is None else True

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "health": self.health,
            "reachable": self.reachable,
            "usedBy": [{"flow": flow, "action": action} for flow, action in self.uses],
            "lastCheck": (
                {
                    "at": iso(self.check.checked_at),
                    "reachable": self.check.reachable,
                    "outcome": self.check.outcome.value,
                    "reason": self.check.reason,
                    "httpStatus": self.check.http_status,
                    "latencyMs": (
                        None if self.check.latency_ms is None else round(self.check.latency_ms, 1)
                    ),
                    "certExpiresAt": iso(self.check.cert_expires_at),
                    "certDaysLeft": self.cert_days_left,
                    "warnings": list(self.check.warnings),
                }
                if self.check
                else None
            ),
            "lastDispatch": self.last_dispatch.to_json() if self.last_dispatch else None,
        }


@dataclass(frozen=True)
class ReplayOutcome:
    """Did the replay help? Per chain (chainId) of the runs a request delivered: its latest
    run executed after the batch was delivered completed, failed again, is something else
    (active, ignored, cancelled), or there is none yet."""

    chains: int
    completed: int
    failed_again: int
    other: int
    none_yet: int
    runs_without_chain: int  # delivered runs with no chainId: they cannot be followed

    def to_json(self) -> dict[str, Any]:
        return {
            "chains": self.chains,
            "completed": self.completed,
            "failedAgain": self.failed_again,
            "other": self.other,
            "noneYet": self.none_yet,
            "runsWithoutChain": self.runs_without_chain,
        }

    def describe(self) -> str:
        other = f", {self.other} other (active, ignored or cancelled)" if self.other else ""
        text = (
            f"{self.completed} completed, {self.failed_again} failed again{other}, "
            f"{self.none_yet} no later run yet (of {self.chains} chain"
            f"{'s' if self.chains != 1 else ''})"
        )
        if self.runs_without_chain:
            text += f"; {self.runs_without_chain} delivered runs have no chainId"
        return text


@dataclass(frozen=True)
class RequestStatus:
    name: str
    action: str
    status: str
    path: str | None
    commit: str | None
    actor: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    run_count: int
    batch_count: int
    batches: Mapping[str, int]  # batches by state
    runs: Mapping[str, int]  # runs by their batch's state
    attempts: int  # POSTs made
    retries: int  # POSTs beyond each batch's first
    last_error: str | None
    from_request: str | None  # the request its selection follows up (fromRequest.name)
    replay: ReplayOutcome | None = None
    cleared_by: str | None = None  # the follow-up request that completed what this left
    hold: str | None = None  # waiting/suspended/awaiting_approval: why, and until when

    @property
    def look(self) -> StateLook:
        return request_look(self.status)

    def progress(self) -> dict[str, int]:
        """Runs per progress segment (PROGRESS_SEGMENTS), by their batch's state."""
        result = dict.fromkeys(PROGRESS_SEGMENTS, 0)
        for state, count in self.runs.items():
            result[_SEGMENT_OF.get(state, "pending")] += count
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "action": self.action,
            "status": self.status,
            "label": self.look.label,
            "tone": self.look.tone,
            "path": self.path,
            "commit": self.commit,
            "actor": self.actor,
            "createdAt": self.created_at,
            "startedAt": self.started_at,
            "finishedAt": self.finished_at,
            "runCount": self.run_count,
            "batchCount": self.batch_count,
            "batches": dict(self.batches),
            "runs": dict(self.runs),
            "progress": self.progress(),
            "attempts": self.attempts,
            "retries": self.retries,
            "lastError": self.last_error,
            "hold": self.hold,
            "fromRequest": self.from_request,
            "clearedBy": self.cleared_by,
            "replay": self.replay.to_json() if self.replay else None,
        }


@dataclass(frozen=True)
class LockStatus:
    description: str
    acquired_at: str
    expires_at: str
    alive: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "holder": self.description,
            "acquiredAt": self.acquired_at,
            "expiresAt": self.expires_at,
            "alive": self.alive,
        }


@dataclass(frozen=True)
class LastApply:
    at: str
    actor: str | None
    commit: str | None
    changes: int

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at, "actor": self.actor, "commit": self.commit, "changes": self.changes}


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: str
    actor: str | None
    commit: str | None
    kind: str
    action: str
    flow: str | None
    request: str | None
    seq: int | None  # a batch record's batch
    note: str | None

    @property
    def subject(self) -> str:
        if self.kind == "batch" and self.request:
            batch = (
                f" {self.flow}#{self.seq}" if self.flow is not None and self.seq is not None else ""
            )
            return f"request {self.request} batch{batch}"
        if self.flow:
            return f"flow {self.flow}"
        return f"request {self.request}" if self.request else self.kind

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
            "subject": self.subject,
            "note": self.note,
        }


@dataclass(frozen=True)
class Attention:
    """One thing that needs attention: what, how bad, and what to do."""

    kind: str  # request | endpoint | flow | lock
    subject: str
    tone: str  # error | warning | notice
    message: str
    hint: str | None = None
    path: str | None = None  # the file it comes from, for annotations

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "tone": self.tone,
            "message": self.message,
            "hint": self.hint,
            "path": self.path,
        }


@dataclass(frozen=True)
class FolderGroup:
    folder: str
    flows: tuple[FlowStatus, ...]

    def count(self, state: str) -> int:
        return sum(1 for f in self.flows if f.state == state)


@dataclass(frozen=True)
class StatusReport:
    generated_at: str
    store: str
    days: tuple[str, ...]  # the Error chart's days (YYYY-MM-DD, UTC), oldest first
    flows: tuple[FlowStatus, ...]
    endpoints: tuple[EndpointStatus, ...]  # worst first
    requests: tuple[RequestStatus, ...]  # attention first, then newest
    requests_total: int
    requests_by_status: Mapping[str, int]
    batches_by_status: Mapping[str, int]  # every batch in the ledger
    audit: tuple[AuditLine, ...]  # newest first
    lock: LockStatus | None
    last_apply: LastApply | None
    revision: int
    attention: tuple[Attention, ...] = ()
    # Request files in Git the ledger does not hold yet, (name, path): not dispatched, or
    # dispatched but selected no runs (nothing is frozen until a runs import brings some).
    not_dispatched: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not any(a.tone in ("error", "warning") for a in self.attention)

    def folders(self) -> list[FolderGroup]:
        groups: dict[str, list[FlowStatus]] = {}
        for flow in sorted(self.flows, key=lambda f: (f.folder, f.name)):
            groups.setdefault(flow.folder, []).append(flow)
        return [FolderGroup(folder, tuple(flows)) for folder, flows in groups.items()]

    def flow_counts(self) -> dict[str, int]:
        counts = {"total": len(self.flows), "managed": 0, "drift": 0, "unmanaged": 0}
        for flow in self.flows:
            counts[flow.state] += 1
        counts["managed"] += counts["drift"]  # a drifted flow is still managed by Git
        return counts

    def to_json(self) -> dict[str, Any]:
        counts = self.flow_counts()
        return {
            "generatedAt": self.generated_at,
            "store": self.store,
            "ok": self.ok,
            "attention": [a.to_json() for a in self.attention],
            "flows": {
                "total": counts["total"],
                "managed": counts["managed"],
                "unmanaged": counts["unmanaged"],
                "drifted": sorted(f.name for f in self.flows if f.drifted),
                "lastApply": self.last_apply.to_json() if self.last_apply else None,
                "storeRevision": self.revision,
                "folders": [
                    {"folder": g.folder, "flows": [f.to_json() for f in g.flows]}
                    for g in self.folders()
                ],
            },
            "errorRuns": {
                "group": "Error",
                "days": list(self.days),
                "byFlow": {f.name: list(f.error_days) for f in self.flows if f.error_total},
            },
            "endpoints": [e.to_json() for e in self.endpoints],
            "requests": {
                "total": self.requests_total,
                "byStatus": dict(self.requests_by_status),
                "batchesByStatus": dict(self.batches_by_status),
                "shown": [r.to_json() for r in self.requests],
                "notDispatched": [{"name": n, "path": p} for n, p in self.not_dispatched],
            },
            "lock": self.lock.to_json() if self.lock else None,
            "audit": [a.to_json() for a in self.audit],
        }
