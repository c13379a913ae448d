"""`requests dispatch` as a service: for every request not yet completed, freeze the
selection (once), resolve secrets, send the batches, settle the request status.

The CLI builds the adapters (store, selector, HTTP client factory) and renders the
outcomes; nothing here prints."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.core.delivery import (
    USER_AGENT,
    BatchResult,
    DispatchSettings,
    FlowSend,
    Retried,
    retry_causes,
)
from reconciler.core.secrets import SecretRef, mask, resolve_secrets
from reconciler.core.select import compile_selection, for_action
from reconciler.core.signing import SigningKeyError, decode_secret
from reconciler.core.statuses import StatusTable
from reconciler.errors import ReconcilerError
from reconciler.load.tree import RequestFile, Tree, canonical_json
from reconciler.models import Flow, Request
from reconciler.services.controls import RequestControls, with_rate_limits
from reconciler.services.sender import ClientFactory, OnBatch, RequestSender
from reconciler.store import freeze as freezing
from reconciler.store import requests as requests_store
from reconciler.store import workers
from reconciler.store.base import Store
from reconciler.store.runs import count_by_status, flow_source, ledger_problem
from reconciler.store.selection_sql import order_by

# Per flow: (flow, numbered SQL yielding run_pk, n; its params), and the excluded run
# counts by reason.
Selected = tuple[list[tuple[str, str, tuple[Any, ...]]], dict[str, int]]
Selector = Callable[[Store, Request, list[Flow]], Selected]
MAX_FAILURES_REPORTED = 20
SELECTED_NO_RUNS = (
    "selected no runs: nothing frozen, nothing sent; the next dispatch after a runs import "
    "selects again (limits.allowEmpty: true accepts an empty result as completed)"
)


@dataclass
class RequestOutcome:
    """What happened to one request in this run (and where its ledger stands)."""

    name: str
    action: str
    path: str | None
    status: str
    skipped: bool = False  # already terminal: nothing done
    error: str | None = None
    run_count: int = 0
    batch_count: int = 0
    batches: dict[str, int] = field(default_factory=dict)  # ledger counts by batch status
    runs: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    sent: int = 0  # batches settled by this process
    failures: list[BatchResult] = field(default_factory=list)
    retries: list[Retried] = field(default_factory=list)  # by this process
    hold: dict[str, Any] | None = None  # waiting/suspended/awaiting_approval: why, until when
    breaker_open: bool = False
    notes: list[str] = field(default_factory=list)  # notifications sent or not

    @property
    def failed(self) -> bool:
        return self.status in (
            requests_store.FAILED,
            requests_store.REFUSED,
            requests_store.COMPLETED_WITH_FAILURES,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "action": self.action,
            "path": self.path,
            "status": self.status,
            "skipped": self.skipped,
            "error": self.error,
            "runCount": self.run_count,
            "batchCount": self.batch_count,
            "batches": self.batches,
            "runs": self.runs,
            "excluded": self.excluded,
            "sentThisRun": self.sent,
            "hold": self.hold,
            "notifications": self.notes,
            "failures": [
                {
                    "flow": f.flow,
                    "seq": f.seq,
                    "status": f.status,
                    "attempts": f.attempts,
                    "runs": f.runs,
                    "httpStatus": f.http_status,
                    "reason": f.reason,
                }
                for f in self.failures
            ],
            "retries": {
                "batches": len({(r.flow, r.seq) for r in self.retries}),
                "attempts": len(self.retries),
                "causes": [
                    {"cause": c.cause, "attempts": c.attempts, "retryAfterSeconds": c.retry_after}
                    for c in retry_causes(self.retries)
                ],
            },
        }


def selector(statuses: StatusTable) -> Selector:
    """The request's selection as the preview shows it, per flow, as numbered SQL the
    ledger freezes set-based; for resume the runs outside the Error group are counted as
    excluded."""

    def select(store: Store, request: Request, flows: list[Flow]) -> Selected:
        spec = compile_selection(request.select, statuses)
        problem = ledger_problem(store, spec)
        if problem is not None:
            raise ReconcilerError(f"request {request.name!r}: {problem}")
        split = for_action(spec, request.action, statuses)
        selections: list[tuple[str, str, tuple[Any, ...]]] = []
        excluded_runs = 0
        for flow in flows:
            source = flow_source(store, flow.name, flow.mappings)
            if split.excluded_reason is not None:  # only a resume counts (what it leaves out)
                excluded_runs += sum(count_by_status(store, spec, source).values()) - sum(
                    count_by_status(store, split.send, source).values()
                )
            query = source.query(split.send, store)
            numbered = (
                f"SELECT r.pk AS run_pk, ROW_NUMBER() OVER "
                f"(ORDER BY {order_by(store.dialect, query.member)}) AS n {query.from_where}"
            )
            selections.append((flow.name, numbered, query.params))
        excluded: dict[str, int] = {}
        if split.excluded_reason is not None and excluded_runs:
            excluded[split.excluded_reason] = excluded_runs
        return selections, excluded

    return select


def secret_refs(flow: Flow, action: str) -> list[SecretRef]:
    """The environment variables sending `flow`'s batches for `action` needs."""
    endpoint = flow.endpoint(action)
    refs = [
        SecretRef(header.valueFrom.env, f"header {header.name} of flow {flow.name}")
        for header in (endpoint.headers if endpoint else [])
        if header.valueFrom is not None
    ]
    if flow.dispatch.signingSecretFrom is not None:
        refs.append(
            SecretRef(flow.dispatch.signingSecretFrom.env, f"signing secret of flow {flow.name}")
        )
    return refs


def flow_sends(flows: list[Flow], action: str, environ: Mapping[str, str]) -> list[FlowSend]:
    """Each flow's headers and signing key for `action`, resolved from `environ` all at
    once: a missing variable (every one is named), a header value with a line break or a
    bad signing key fails the request before anything is sent."""
    values = resolve_secrets([ref for flow in flows for ref in secret_refs(flow, action)], environ)
    return [_flow_send(flow, action, values) for flow in flows]


def _flow_send(flow: Flow, action: str, values: Mapping[str, str]) -> FlowSend:
    endpoint = flow.endpoint(action)
    if endpoint is None:
        raise ReconcilerError(f"flow {flow.name!r} has no {action} URL")
    headers: dict[str, str] = {
        header.name: values[header.valueFrom.env] if header.valueFrom else header.value or ""
        for header in endpoint.headers
    }
    headers["Content-Type"] = "application/json"
    headers["User-Agent"] = USER_AGENT
    key = None
    if flow.dispatch.signingSecretFrom is not None:
        env = flow.dispatch.signingSecretFrom.env
        try:
            key = decode_secret(values[env])
        except SigningKeyError as exc:
            raise ReconcilerError(f"{exc} (environment variable {env}, flow {flow.name})") from None
    return FlowSend(
        flow=flow.name,
        url=endpoint.url,
        headers=headers,
        signing_key=key,
        concurrency=flow.dispatch.concurrency,
        timeout=flow.dispatch.timeoutSeconds,
        max_attempts=flow.dispatch.maxAttempts,
    )


@dataclass
class Dispatcher:
    store: Store
    tree: Tree
    selector: Selector
    client_factory: ClientFactory
    settings: DispatchSettings
    worker: str
    commit_sha: str | None = None
    actor: str | None = None
    on_batch: OnBatch | None = None
    on_request: Callable[[RequestOutcome], None] | None = None  # a request starts
    # PostgreSQL: more connections for the ledger threads (see RequestSender)
    connect: Callable[[], Store] | None = None
    environ: Mapping[str, str] = field(default_factory=dict)  # where secrets are read
    # schedule clock, owner approval, notifications (services/controls.py)
    controls: RequestControls | None = None
    run_link: str | None = None  # the workflow run, for notifications

    def run(self, names: Iterable[str] | None = None) -> list[RequestOutcome]:
        wanted = set(names) if names is not None else None
        workers.register_worker(
            self.store, self.worker, actor=self.actor, commit_sha=self.commit_sha
        )
        outcomes = []
        for item in sorted(self.tree.requests, key=lambda r: r.request.name):
            if wanted is not None and item.request.name not in wanted:
                continue
            try:
                outcome = self.dispatch(item)
            except ReconcilerError as exc:  # this request cannot start; the others still go
                outcome = RequestOutcome(
                    name=item.request.name,
                    action=item.request.action,
                    path=item.path,
                    status=requests_store.FAILED,
                    error=mask(exc.message + (f" ({exc.hint})" if exc.hint else "")),
                )
            outcome.notes = self._controls.notify(outcome, self.run_link)
            outcomes.append(outcome)
        return outcomes

    @property
    def _controls(self) -> RequestControls:
        if self.controls is None:
            self.controls = RequestControls(
                self.store, actor=self.actor, commit_sha=self.commit_sha
            )
        return self.controls

    def dispatch(self, item: RequestFile) -> RequestOutcome:
        request = item.request
        row = requests_store.get_request(self.store, request.name)
        if row is not None and row.terminal:
            return self._outcome(item, row, skipped=True)
        if row is not None and row.content_hash != item.content_hash:
            raise ReconcilerError(
                f"request {request.name!r} ({item.path}) changed after it was dispatched",
                hint="requests are immutable once dispatched; add a new request",
            )
        flows = self._flows(request)
        if row is None:
            frozen = self._freeze(item, flows)
            if frozen is None:  # an empty selection is not a finished request
                return RequestOutcome(
                    request.name,
                    request.action,
                    item.path,
                    requests_store.PENDING,
                    hold={"reason": SELECTED_NO_RUNS},
                )
            row = frozen
            if row.terminal:  # refused
                return self._outcome(item, row)
        try:
            go = self._controls.before_sending(request, row, flows)
        except ReconcilerError as exc:  # the approval it needs could not be looked up
            return self._failed(item, exc.message + (f" ({exc.hint})" if exc.hint else ""))
        if not go:  # cancelled, suspended, waiting or awaiting approval
            return self._outcome(item, requests_store.get_request(self.store, request.name))
        if self.on_request is not None:
            self.on_request(self._outcome(item, row))
        try:
            sends = flow_sends(flows, request.action, self.environ)
        except ReconcilerError as exc:  # a missing secret, a bad signing key
            return self._failed(item, exc.message)
        sends = with_rate_limits(sends, flows, request)
        requests_store.set_status(self.store, request.name, requests_store.DISPATCHING)
        sender = RequestSender(
            self.store,
            request.name,
            request.action,
            self.worker,
            self.settings,
            self.client_factory,
            self.on_batch,
            connect=self.connect if self.store.dialect == "postgresql" else None,
            connections=min(16, max(s.concurrency for s in sends)),
            halted=self._controls.halted(request),  # the schedule's window closed
        )
        results = asyncio.run(sender.run(sends))
        breaker = "; ".join(r.breaker_opened for r in results if r.breaker_opened) or None
        status = requests_store.final_status(requests_store.counts(self.store, request.name))
        if breaker is not None:
            status = requests_store.FAILED
        status = self._controls.after_sending(request, status)
        if status is not None:
            requests_store.set_status(
                self.store,
                request.name,
                status,
                error=breaker,
                actor=self.actor,
                commit_sha=self.commit_sha,
            )
        outcome = self._outcome(item, requests_store.get_request(self.store, request.name))
        outcome.error = breaker or outcome.error
        outcome.breaker_open = breaker is not None
        sent = [b for r in results for b in r.sent]
        outcome.sent = len(sent)
        outcome.retries = [r for fr in results for r in fr.retries]
        outcome.failures = [b for b in sent if b.status != requests_store.B_DELIVERED][
            :MAX_FAILURES_REPORTED
        ]
        return outcome

    def _failed(self, item: RequestFile, error: str) -> RequestOutcome:
        message = mask(error)
        requests_store.set_status(
            self.store,
            item.request.name,
            requests_store.FAILED,
            error=message,
            actor=self.actor,
            commit_sha=self.commit_sha,
        )
        outcome = self._outcome(item, requests_store.get_request(self.store, item.request.name))
        outcome.error = message
        return outcome

    def _flows(self, request: Request) -> list[Flow]:
        flows = []
        for name in request.flows:
            flow = self.tree.flow(name)
            if flow is None or flow.endpoint(request.action) is None:
                raise ReconcilerError(
                    f"request {request.name!r}: flow {name!r} has no {request.action} URL in flows.d/"
                )
            if not self.store.query_one("SELECT 1 FROM flows WHERE name = ?", (name,)):
                raise ReconcilerError(
                    f"request {request.name!r}: flow {name!r} is not in the store",
                    hint="run `reconciler apply` before `reconciler requests dispatch`",
                )
            flows.append(flow)
        return flows

    def _freeze(self, item: RequestFile, flows: list[Flow]) -> requests_store.RequestRow | None:
        request = item.request
        sizes = {flow.name: request.batchSize or flow.dispatch.batchSize for flow in flows}
        urls = {flow.name: flow.endpoint(request.action).url for flow in flows}  # type: ignore[union-attr]
        chosen, excluded = self.selector(self.store, request, flows)
        workers.tune_for_dispatch(self.store)  # the selection may have widened the map
        selections = [
            freezing.FlowSelection(freezing.FlowTarget(name, urls[name], sizes[name]), sql, params)
            for name, sql, params in chosen
        ]
        return freezing.freeze(
            self.store,
            freezing.NewRequest(
                name=request.name,
                action=request.action,
                content_hash=item.content_hash,
                spec=canonical_json(request),
                source_path=item.path,
                reason=request.reason,
                commit_sha=self.commit_sha,
                actor=self.actor,
            ),
            selections=selections,
            excluded=excluded,
            max_runs=request.limits.maxRuns,
            allow_empty=request.limits.allowEmpty,
        )

    def _outcome(
        self, item: RequestFile, row: requests_store.RequestRow | None, *, skipped: bool = False
    ) -> RequestOutcome:
        assert row is not None
        c = requests_store.counts(self.store, row.name)
        detail = row.detail
        return RequestOutcome(
            name=row.name,
            action=row.action,
            path=item.path,
            status=row.status,
            skipped=skipped,
            error=detail.get("error"),
            run_count=row.run_count or 0,
            batch_count=row.batch_count or 0,
            batches=c.batches,
            runs=c.runs,
            excluded=dict(detail.get("excluded") or {}),
            hold=detail.get("hold"),
        )
