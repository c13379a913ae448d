"""What a request would send, per flow, without sending anything (pure).

`preview_request(...)` takes the request, the flows it names (from Git, else the store),
and a `RunSource` that answers counts and samples (the store adapter implements it), and
returns a `RequestPreview`: per flow the runs that would be sent by status, the runs
excluded and why (resume on a non-Error run, over `maxRuns`, no URL for the action), a
sample of the first runs, and the batches it would make. Problems are errors: a request
with any is refused by dispatch, and `requests preview` exits 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from reconciler.core.controls import describe_duration, describe_schedule, flow_rate_limit
from reconciler.core.ratelimit import RateLimit
from reconciler.core.select import SelectionSpec, compile_selection, for_action
from reconciler.core.statuses import StatusTable
from reconciler.errors import InputError

if TYPE_CHECKING:
    from reconciler.models import Flow, Request

DEFAULT_SAMPLE = 5
SELECTED_NO_RUNS = (
    "selected no runs: dispatch leaves this request pending (nothing frozen) and selects "
    "again after the next runs import; limits.allowEmpty: true accepts an empty result"
)

PreviewState = Literal["ready", "empty", "refused", "dispatched"]


@dataclass(frozen=True)
class SampleRun:
    id: str
    workflow_run_id: str | None
    chain_id: str | None
    workflow_name: str | None
    status: str
    execution_time: str | None


@dataclass(frozen=True)
class Exclusion:
    reason: str
    count: int
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class FlowPreview:
    flow: str
    url: str | None
    membership: str  # "store" (applied flow, indexed) | "git" (mappings not applied yet) | "-"
    send_by_status: dict[str, int] = field(default_factory=dict)
    exclusions: list[Exclusion] = field(default_factory=list)
    sample: list[SampleRun] = field(default_factory=list)
    batch_size: int = 0
    batches: int = 0
    # What dispatch would send from this flow (for comparing requests): the flow and the
    # selection narrowed to the statuses sent.
    sends: tuple[Flow, SelectionSpec] | None = field(default=None, repr=False)
    rate_limit: RateLimit | None = None  # the stricter of the flow's and the request's

    @property
    def send(self) -> int:
        return sum(self.send_by_status.values())

    @property
    def duration(self) -> str | None:
        """ "600 batches at 10/s: ~60 s" under a rate limit."""
        return describe_duration(self.batches, self.rate_limit)

    @property
    def excluded(self) -> int:
        return sum(e.count for e in self.exclusions)


@dataclass
class RequestPreview:
    name: str
    path: str
    action: str
    reason: str
    max_runs: int
    state: PreviewState
    flows: list[FlowPreview] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    allow_empty: bool = False  # limits.allowEmpty: no runs is a finished request
    schedule: str | None = None  # "not before ...; Mon,Tue 22:00-06:00 Europe/Brussels"
    approval: str | None = None  # why it needs an owner's approval, and whose

    @property
    def send(self) -> int:
        return sum(f.send for f in self.flows)

    @property
    def selected(self) -> int:
        return sum(f.send + f.excluded for f in self.flows)

    @property
    def batches(self) -> int:
        return sum(f.batches for f in self.flows)


class RunSource(Protocol):
    """What the preview needs from the store."""

    def membership(self, flow: Flow) -> str: ...

    def counts(self, flow: Flow, spec: SelectionSpec) -> dict[int | None, int]: ...

    def sample(self, flow: Flow, spec: SelectionSpec, limit: int) -> list[SampleRun]: ...

    def ledger_problem(self, spec: SelectionSpec) -> str | None: ...

    def run_ids(self, flow: Flow, spec: SelectionSpec, limit: int) -> set[str]: ...


def dispatched_preview(request: Request, path: str, note: str) -> RequestPreview:
    """A request the ledger already has: nothing to preview."""
    return RequestPreview(
        request.name,
        path,
        request.action,
        request.reason,
        request.limits.maxRuns,
        "dispatched",
        notes=[note],
    )


def preview_request(
    request: Request,
    path: str,
    flows: dict[str, Flow | None],
    source: RunSource,
    statuses: StatusTable,
    *,
    sample_size: int = DEFAULT_SAMPLE,
) -> RequestPreview:
    preview = RequestPreview(
        request.name,
        path,
        request.action,
        request.reason,
        request.limits.maxRuns,
        "ready",
        allow_empty=request.limits.allowEmpty,
        schedule=describe_schedule(request.schedule),
    )
    try:
        spec = compile_selection(request.select, statuses)
    except InputError as exc:
        preview.problems.append(f"select: {exc.message}")
        preview.state = "refused"
        return preview
    ledger = source.ledger_problem(spec)
    if ledger:
        preview.problems.append(ledger)
    split = for_action(spec, request.action, statuses)
    sendable = split.send.status_ids
    for name in request.flows:
        flow = flows.get(name)
        if flow is None:
            preview.problems.append(f"flow {name!r} exists neither in flows.d/ nor in the store")
            preview.flows.append(FlowPreview(name, None, "-"))
            continue
        preview.flows.append(
            _flow_preview(
                request,
                flow,
                spec,
                sendable,
                split.excluded_reason,
                source,
                statuses,
                sample_size,
                preview.problems,
            )
        )
    _apply_max_runs(preview)
    if preview.problems:
        preview.state = "refused"
    elif preview.send == 0:
        preview.state = "empty"
        if not preview.allow_empty:
            preview.warnings.append(SELECTED_NO_RUNS)
    return preview


def _flow_preview(
    request: Request,
    flow: Flow,
    spec: SelectionSpec,
    sendable: frozenset[int] | None,
    status_reason: str | None,
    source: RunSource,
    statuses: StatusTable,
    sample_size: int,
    problems: list[str],
) -> FlowPreview:
    endpoint = flow.endpoint(request.action)
    batch_size = request.batchSize or flow.dispatch.batchSize
    result = FlowPreview(
        flow.name,
        endpoint.url if endpoint else None,
        source.membership(flow),
        batch_size=batch_size,
        rate_limit=flow_rate_limit(flow, request),
    )
    counts = source.counts(flow, spec)
    send: dict[str, int] = {}
    held: dict[str, int] = {}
    for status_id, count in sorted(
        counts.items(), key=lambda item: (item[0] is None, item[0] or 0)
    ):
        name = statuses.name(status_id)
        if sendable is None or status_id in sendable:
            send[name] = send.get(name, 0) + count
        else:
            held[name] = held.get(name, 0) + count
    if held:
        result.exclusions.append(
            Exclusion(f"{status_reason or 'status'}", sum(held.values()), held)
        )
    if endpoint is None:
        problems.append(f"flow {flow.name!r} has no {request.action} URL")
        if send:
            result.exclusions.append(
                Exclusion(f"flow has no {request.action} URL", sum(send.values()), send)
            )
        return result
    result.send_by_status = send
    result.batches = math.ceil(result.send / batch_size) if result.send else 0
    if result.send:
        narrowed = spec if sendable is None else spec.restrict_statuses(sendable)
        result.sends = (flow, narrowed)
        if sample_size > 0:
            result.sample = source.sample(flow, narrowed, sample_size)
    return result


def _apply_max_runs(preview: RequestPreview) -> None:
    total = preview.send
    if total <= preview.max_runs:
        return
    preview.problems.append(
        f"{total} runs selected for sending, over limits.maxRuns {preview.max_runs}: "
        "dispatch refuses this request (narrow the selection or raise maxRuns)"
    )
    reason = f"over maxRuns ({total} > {preview.max_runs})"
    for flow in preview.flows:
        if flow.send:
            flow.exclusions.append(Exclusion(reason, flow.send, dict(flow.send_by_status)))
            flow.send_by_status = {}
            flow.batches = 0


def warn_overlaps(previews: Sequence[RequestPreview], source: RunSource) -> None:
    """Two pending requests that would send the same run: each gets a warning naming the
    other (dispatching both sends that run twice). Compared by run id, so a run that is a
    member of two flows counts too. Only requests dispatch would send are compared."""
    ready = [p for p in previews if p.state == "ready" and p.send]
    if len(ready) < 2:
        return
    ids: dict[str, set[str]] = {}
    for p in ready:
        ids[p.name] = set()
        for f in p.flows:
            if f.sends is not None:
                flow, spec = f.sends
                ids[p.name] |= source.run_ids(flow, spec, p.max_runs + 1)
    for i, a in enumerate(ready):
        for b in ready[i + 1 :]:
            shared = len(ids[a.name] & ids[b.name])
            if shared:
                for this, other in ((a, b), (b, a)):
                    this.warnings.append(
                        f"{shared:,} run{'' if shared == 1 else 's'} also selected by pending request "
                        f"{other.name!r} ({other.path}): dispatching both sends them twice; "
                        "narrow one selection or drop one request"
                    )


def approval_note(
    preview: RequestPreview, min_runs: int | None, owners: dict[str, list[str]]
) -> None:
    """Say, when the request selects at least `min_runs` runs, that dispatch waits for an
    approving review from an owner of each flow it names (`owners`: flow -> its owners)."""
    if min_runs is None or preview.selected < min_runs or preview.state == "dispatched":
        return
    wanted = [f"{flow}: one of {', '.join(who)}" for flow, who in owners.items() if who]
    preview.approval = (
        f"selects {preview.selected:,} runs (approvals.requests.minRuns {min_runs:,}): "
        + (
            "dispatched only once the pull request has an approving review from an owner of "
            "every flow (" + "; ".join(wanted) + ")"
            if wanted
            else "its flows name no owners, so no approval is needed"
        )
    )


def preview_exit_code(previews: Sequence[RequestPreview]) -> int:
    """1 when dispatch would refuse a request, or would leave it pending because it selects
    no runs (unless limits.allowEmpty accepts that)."""
    return (
        1 if any(p.problems or (p.state == "empty" and not p.allow_empty) for p in previews) else 0
    )
