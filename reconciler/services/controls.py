"""The replay controls of `requests dispatch`, request by request: the rate limit each
flow's POSTs keep to, whether a request may send now (cancelled, suspended, waiting for
its schedule, awaiting an owner's approval), and the notifications at its end.

The dispatch loop makes small calls into this module: `with_rate_limits` on the resolved
sends, `before_sending` once per request before anything is sent, `halted` before each
claim, `after_sending` when its senders stop, `notify_outcome` at the end. The store-level
state changes are store/controls.py's; the rules are core/controls.py's and
core/approval.py's."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from reconciler.core.controls import flow_rate_limit, gate, needs_approval, schedule_of
from reconciler.core.delivery import FlowSend
from reconciler.core.notify import Event
from reconciler.core.ratelimit import RateLimit
from reconciler.core.secrets import mask
from reconciler.errors import ConfigError
from reconciler.http.approvals import GitHubRepo, look_up
from reconciler.http.notify import notify
from reconciler.services.pacing import Pacer
from reconciler.store import controls as state
from reconciler.store.base import Store
from reconciler.store.requests import DISPATCHING, RequestRow, get_request

if TYPE_CHECKING:
    from reconciler.http.exchange import OnTheWire
    from reconciler.http.settings import NetworkSettings
    from reconciler.models import Flow, Request
    from reconciler.models.config import Notification
    from reconciler.services.dispatch import RequestOutcome

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


# -- rate limits ------------------------------------------------------------------------
def with_rate_limits(
    sends: Sequence[FlowSend], flows: Sequence[Flow], request: Request
) -> list[FlowSend]:
    """Each flow's send with the stricter of the flow's and the request's limit."""
    by_name = {flow.name: flow for flow in flows}
    return [
        replace(send, rate_limit=flow_rate_limit(by_name[send.flow], request)) for send in sends
    ]


class Pacers:
    """The pacers of one dispatch process: one per flow and limit, each taking its slots
    from the flow's shared bucket in the store (services/pacing.py) on its own connection.
    `on_the_wire(send)` is what the flow's BatchPoster awaits before every POST attempt."""

    def __init__(self, connect: Callable[[], Store]) -> None:
        self._connect = connect
        self._pacers: dict[tuple[str, RateLimit], Pacer] = {}

    def on_the_wire(self, send: FlowSend) -> OnTheWire | None:
        if send.rate_limit is None:
            return None
        key = (send.flow, send.rate_limit)
        if key not in self._pacers:
            self._pacers[key] = Pacer(self._connect, send.flow, send.rate_limit)
        return self._pacers[key].wait

    def close(self) -> None:
        for pacer in self._pacers.values():
            pacer.close()
        self._pacers.clear()


def parse_now(text: str | None, started: float, monotonic: Callable[[], float]) -> Clock:
    """The dispatch clock. `text` (RECONCILER_NOW, read by the CLI): an ISO 8601 instant
    with a zone at which the clock starts, then runs on in real time -- so a test can put a
    dispatch just before a window closes. Unset: the system clock."""
    if not text:
        return system_clock
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        raise _bad_now(text) from None
    if start.tzinfo is None:
        raise _bad_now(text)

    def clock() -> datetime:
        return (start + timedelta(seconds=monotonic() - started)).astimezone(UTC)

    return clock


def _bad_now(text: str) -> Exception:
    return ConfigError(
        f"RECONCILER_NOW={text!r} is not an instant with a zone",
        hint="e.g. RECONCILER_NOW=2026-11-28T21:59:58+01:00, or unset it",
    )


# -- before, during and after sending ------------------------------------------------------
@dataclass(frozen=True)
class ApprovalCheck:
    """Owner approval of large requests: `min_runs` from reconciler.yaml, and how to ask
    GitHub (the CLI passes the environment's GITHUB_* values and the network settings)."""

    min_runs: int
    environ: Mapping[str, str]
    network: NetworkSettings


@dataclass(frozen=True)
class Notifier:
    """reconciler.yaml `notify:` entries, with where their URLs are read and the network."""

    entries: Sequence[Notification]
    environ: Mapping[str, str]
    network: NetworkSettings


@dataclass
class RequestControls:
    """The request-level decisions of one dispatch process."""

    store: Store
    clock: Clock = system_clock
    actor: str | None = None
    commit_sha: str | None = None
    approval: ApprovalCheck | None = None
    notifier: Notifier | None = None
    told: set[str] = field(default_factory=set)  # requests still awaiting approval: told before

    def before_sending(self, request: Request, row: RequestRow, flows: Sequence[Flow]) -> bool:
        """May `request` send now? Otherwise its state is recorded -- cancelled (pending
        batches too), suspended, waiting with the next allowed instant, awaiting approval
        naming whose -- and False is returned. Raises (ApprovalLookupFailed, ConfigError)
        when the approval it needs cannot be looked up."""
        name, actor, commit = request.name, self.actor, self.commit_sha
        decided = gate(request, self.clock(), cancelled_before=row.status == state.CANCELLED)
        if decided.state == "cancelled":
            state.cancel(self.store, name, reason=decided.reason, actor=actor, commit_sha=commit)
            return False
        if decided.state in ("suspended", "waiting"):
            when = decided.next_allowed.isoformat() if decided.next_allowed else None
            held = state.SUSPENDED if decided.state == "suspended" else state.WAITING
            state.hold(
                self.store,
                name,
                held,
                reason=decided.reason,
                next_allowed=when,
                actor=actor,
                commit_sha=commit,
            )
            return False
        if self.approval is not None and not self._approved(request, row, flows):
            return False
        state.release(self.store, name, actor=actor, commit_sha=commit)
        return True

    def _approved(self, request: Request, row: RequestRow, flows: Sequence[Flow]) -> bool:
        assert self.approval is not None
        if not needs_approval(row.run_count or 0, self.approval.min_runs):
            return True
        if "approval" in row.detail:  # found by an earlier dispatch of this request
            return True
        owners = {flow.name: list(flow.owners) for flow in flows}
        repo = GitHubRepo.from_environ(self.approval.environ)
        found = look_up(repo, owners, self.approval.network)
        audit = {"actor": self.actor, "commit_sha": self.commit_sha}
        verdict = found.verdict
        if verdict.approved:
            approvers = {flow: list(logins) for flow, logins in verdict.approvers.items()}
            state.record_approval(
                self.store, request.name, approvers, list(found.pull_requests), **audit
            )
            return True
        pulls = ", ".join(f"#{n}" for n in found.pull_requests) or "none found"
        newly = state.hold(
            self.store,
            request.name,
            state.AWAITING_APPROVAL,
            reason=f"selects {row.run_count:,} runs (approvals.requests.minRuns "
            f"{self.approval.min_runs:,}): needs an approving review on the pull request "
            f"that merged it ({pulls}) from {found.describe_missing()}",
            missing={flow: list(owners) for flow, owners in verdict.missing.items()},
            actor=self.actor,
            commit_sha=self.commit_sha,
        )
        if not newly:  # told when it started waiting: a scheduled re-run does not repeat it
            self.told.add(request.name)
        return False

    def halted(self, request: Request) -> Callable[[], bool]:
        """Asked before each claim and each batch: has the schedule's window closed?
        (A suspend or cancel recorded by another process stops the claims in the store.)"""
        schedule = schedule_of(request.schedule)
        if schedule is None:
            return lambda: False
        return lambda: not schedule.allows(self.clock())

    def after_sending(self, request: Request, final: str | None) -> str | None:
        """The status the loop sets now that its senders stopped (`final`: what the batch
        counts say, None while some are open), or None to leave the request as it is:
        cancelled or held by another process meanwhile, or -- batches left because the
        window closed -- waiting again."""
        row = get_request(self.store, request.name)
        if row is None:
            return None
        if row.status == state.CANCELLED:  # meanwhile: what this process gave back too
            if row.detail.get("cancelled"):
                reason = str(row.detail["cancelled"].get("reason") or "cancelled")
                state.cancel(
                    self.store,
                    request.name,
                    reason=reason,
                    actor=self.actor,
                    commit_sha=self.commit_sha,
                )
            return None
        if final is not None:
            return final
        if row.status != DISPATCHING:  # suspended (or held) by another dispatch meanwhile
            return None
        decided = gate(request, self.clock())
        if decided.state == "waiting" and decided.next_allowed is not None:
            state.hold(
                self.store,
                request.name,
                state.WAITING,
                reason=f"its window closed; {decided.reason}",
                next_allowed=decided.next_allowed.isoformat(),
                actor=self.actor,
                commit_sha=self.commit_sha,
            )
        return None  # else other workers still hold batches in flight; the last one settles it

    def notify(self, outcome: RequestOutcome, link: str | None) -> list[str]:
        """Tell the notify entries that want it how the request ended; one note per hook
        (sent or not). Never raises: a dead hook does not fail the dispatch."""
        if self.notifier is None or not self.notifier.entries or outcome.skipped:
            return []
        kind = "breaker_open" if outcome.breaker_open else outcome.status
        if kind not in NOTIFIED or (kind == state.AWAITING_APPROVAL and outcome.name in self.told):
            return []
        event = request_event(outcome, kind, link)
        try:
            sent = notify(
                self.notifier.entries, event, self.notifier.environ, self.notifier.network
            )
        except Exception as exc:  # never let telling about a dispatch fail it
            return [mask(f"{kind} notification not sent: {type(exc).__name__}: {exc}")]
        return [result.describe() for result in sent]


NOTIFIED = frozenset(
    {
        "completed",
        "completed_with_failures",
        "failed",
        "refused",
        "awaiting_approval",
        "breaker_open",
    }
)


def request_event(outcome: RequestOutcome, kind: str, link: str | None) -> Event:
    """The notification of how a request's dispatch ended: its name, run counts, reason."""
    counts = {
        "runs selected": outcome.run_count,
        "delivered": outcome.runs.get("delivered", 0),
        "failed": outcome.runs.get("failed", 0),
    }
    left = outcome.runs.get("pending", 0) + outcome.runs.get("in_flight", 0)
    if left:
        counts["not sent"] = left
    reason = outcome.error or ((outcome.hold or {}).get("reason"))
    return Event(kind, f"request {outcome.name}", counts, reason, link)
