"""`reconciler requests ...`: the request group and its commands, `preview` (what a
request would send), `dispatch` (send it) and `status` (the ledger's state)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from reconciler import provenance
from reconciler.cli.context import AppContext
from reconciler.core.commits import short_commit
from reconciler.core.delivery import DispatchSettings, FlowSend
from reconciler.core.findings import Severity
from reconciler.core.notify import run_link
from reconciler.core.preview import (
    approval_note,
    dispatched_preview,
    preview_exit_code,
    preview_request,
    warn_overlaps,
)
from reconciler.core.statuses import StatusTable
from reconciler.errors import DispatchError, ValidationFailed
from reconciler.http.attempt import BatchPoster
from reconciler.http.settings import NetworkSettings
from reconciler.load.tree import FLOWS_DIR, REQUESTS_DIR, load_tree
from reconciler.reporters.common import format_option, resolve_format
from reconciler.reporters.dispatch import (
    Progress,
    render_dispatch,
    render_notifications,
    render_request_detail,
    render_request_list,
)
from reconciler.reporters.preview import render_preview
from reconciler.services.controls import (
    ApprovalCheck,
    Notifier,
    Pacers,
    RequestControls,
    parse_now,
)
from reconciler.services.dispatch import Dispatcher, selector
from reconciler.store import batches as batch_store
from reconciler.store import immutability, workers
from reconciler.store import requests as requests_store
from reconciler.store.base import Store, open_store
from reconciler.store.flows import flow_models
from reconciler.store.runs import StoreRunSource, dispatched_state
from reconciler.store.status_report import read_replay

PR_EVENTS = frozenset({"pull_request", "pull_request_target"})


@click.group()
def requests() -> None:
    """Resubmit/resume requests: preview on a pull request, dispatch on merge."""


@requests.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
@format_option("text", "json", "github", "markdown")
@click.option(
    "--sample",
    type=click.IntRange(0, 100),
    default=5,
    show_default=True,
    help="How many of the first runs to show per flow.",
)
@click.pass_obj
def preview(
    app: AppContext, files: tuple[Path, ...], output_format: str | None, sample: int
) -> int:
    """What each request would send (default: every file in requests.d/). Sends nothing.

    Per request and flow: runs by status, exclusions and why, the first runs, the batches.
    Exit 1 when a request is invalid, would be refused (e.g. over limits.maxRuns) or
    selects no runs (unless limits.allowEmpty: true)."""

    fmt = resolve_format(output_format, ("text", "json", "github", "markdown"))
    root = app.root
    request_paths = list(files) or [root / REQUESTS_DIR]
    tree = load_tree(root, [root / FLOWS_DIR, *request_paths])
    flow_dir = FLOWS_DIR + "/"
    findings = [f for f in tree.findings if not f.path.startswith(flow_dir)]
    loaded = {item.name for item in tree.flows}
    if any(name not in loaded for item in tree.requests for name in item.request.flows):
        # A named flow did not load: its file's errors say why (with file:line:col).
        findings += [
            f for f in tree.findings if f.path.startswith(flow_dir) and f.severity is Severity.ERROR
        ]
    config = app.config()
    statuses = StatusTable.from_config(config)
    min_runs = config.approvals.requests.minRuns if config and config.approvals else None
    previews = []
    store = open_store(app.resolved_store_url(), root=root, readonly=True)
    try:
        flows = {**flow_models(store), **{item.flow.name: item.flow for item in tree.flows}}
        source = StoreRunSource(store, statuses)
        for item in sorted(tree.requests, key=lambda r: r.path):
            request = item.request
            state = dispatched_state(store, request.name)
            if state is not None and state["status"] != "pending":
                note = (
                    f"dispatched: {state['status']} (started {state['started_at'] or '-'}, "
                    f"commit {short_commit(state['commit_sha'] or '-')}); add a new request to send again"
                )
                previews.append(dispatched_preview(request, item.path, note))
                continue
            preview = preview_request(
                request, item.path, flows, source, statuses, sample_size=sample
            )
            owners = {n: list(f.owners) if f else [] for n in request.flows for f in [flows.get(n)]}
            approval_note(preview, min_runs, owners)
            previews.append(preview)
        warn_overlaps(previews, source)
    finally:
        store.close()
    render_preview(previews, findings, fmt, notices=app.default_store_notices())
    failed = preview_exit_code(previews) or any(f.severity is Severity.ERROR for f in findings)
    return 1 if failed else 0


@requests.command("dispatch")
@click.option(
    "--only",
    "only",
    metavar="NAME",
    multiple=True,
    help="Dispatch only these requests (repeatable); default: every request not yet completed.",
)
@format_option()
@click.pass_context
def dispatch(ctx: click.Context, only: tuple[str, ...], output_format: str | None) -> None:
    """Send every request in requests.d/ that is not completed yet: freeze its selection,
    POST the batches with retries, record every step in the ledger. Safe to re-run after a
    crash; several workers may share one PostgreSQL store."""

    app: AppContext = ctx.obj
    fmt = resolve_format(output_format)
    if os.environ.get("GITHUB_EVENT_NAME") in PR_EVENTS:
        raise DispatchError(
            "refusing to dispatch from a pull request",
            hint="pull requests run `reconciler requests preview`; the merge workflow dispatches",
        )
    app.require_configured_store("reconciler requests dispatch")
    tree = load_tree(app.root)
    store = open_store(app.resolved_store_url(), root=app.root)
    try:
        workers.tune_for_dispatch(store)
        findings = [*tree.findings, *immutability.changed_after_dispatch(store, tree)]
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            first = errors[0]
            raise ValidationFailed(
                f"the configuration tree has {len(errors)} error"
                f"{'s' if len(errors) != 1 else ''}; nothing dispatched "
                f"(first: {first.location}: {first.message})",
                hint="run `reconciler validate` to see every finding",
            )
        unknown = sorted(set(only) - {r.request.name for r in tree.requests})
        if unknown:
            raise DispatchError(f"no request named {', '.join(map(repr, unknown))} in requests.d/")
        config = app.config()
        statuses = StatusTable.from_overrides(config.statuses if config else None)
        # validation has checked network.allow and network.caBundle already
        network = NetworkSettings.from_config(config, app.root)

        def connect() -> Store:
            return open_store(app.resolved_store_url(), root=app.root, migrate=False)

        pacers = Pacers(connect)  # rate limits: each POST waits for its flow's next slot

        def client_factory(send: FlowSend) -> BatchPoster:
            return BatchPoster(network, send, on_the_wire=pacers.on_the_wire(send))

        progress = Progress(enabled=None if fmt == "text" else False)
        commit, actor = provenance.commit(app.root), provenance.actor()
        request_controls = RequestControls(
            store,
            clock=parse_now(os.environ.get("RECONCILER_NOW"), time.monotonic(), time.monotonic),
            actor=actor,
            commit_sha=commit,
            approval=ApprovalCheck(config.approvals.requests.minRuns, os.environ, network)
            if config is not None and config.approvals is not None
            else None,
            notifier=Notifier(config.notify, os.environ, network)
            if config is not None and config.notify
            else None,
        )
        dispatcher = Dispatcher(
            store=store,
            tree=tree,
            selector=selector(statuses),
            client_factory=client_factory,
            settings=DispatchSettings.from_environ(os.environ),
            environ=os.environ,
            worker=workers.new_worker_id(),
            commit_sha=commit,
            actor=actor,
            controls=request_controls,
            run_link=run_link(os.environ),
            on_batch=progress.batch,
            on_request=progress.start,
            connect=connect,
        )
        try:
            outcomes = dispatcher.run(only or None)
        finally:
            progress.finish()
            pacers.close()
    finally:
        store.close()
    render_dispatch(outcomes, fmt)
    render_notifications(outcomes)
    if any(o.failed and not o.skipped for o in outcomes):
        ctx.exit(1)


@requests.command("status")
@click.argument("name", required=False)
@click.option(
    "--runs", "show_runs", is_flag=True, help="With NAME: list every run and its outcome."
)
@format_option()
@click.pass_context
def status(
    ctx: click.Context, name: str | None, show_runs: bool, output_format: str | None
) -> None:
    """Ledger state: every request, or one request per batch (and per run with --runs)."""
    app: AppContext = ctx.obj
    fmt = resolve_format(output_format)
    store = open_store(app.resolved_store_url(), root=app.root, readonly=True)
    try:
        if name is None:
            rows = [
                (row, requests_store.counts(store, row.name))
                for row in requests_store.list_requests(store)
            ]
            render_request_list(rows, fmt)
            return
        row = requests_store.get_request(store, name)
        if row is None:
            raise DispatchError(
                f"no request named {name!r} in the ledger",
                hint="`reconciler requests status` lists the dispatched requests",
            )
        runs = batch_store.run_outcomes(store, name) if show_runs else None
        counts = requests_store.counts(store, name)
        replay = None
        if counts.runs.get(requests_store.B_DELIVERED):
            replay = read_replay(store, name, StatusTable.from_config(app.config()))
        render_request_detail(
            row, counts, batch_store.batches(store, name), runs, fmt, replay=replay
        )
    finally:
        store.close()
