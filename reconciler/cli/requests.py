"""`reconciler requests ...`: the request group. This module holds the group and `preview`;
`dispatch` and `status` live in their own modules and register themselves here with
`requests.add_command(...)` (see REQUEST_COMMANDS), so each stays one module per command."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from reconciler.cli.context import AppContext
from reconciler.core.commits import short_commit
from reconciler.core.findings import Severity
from reconciler.core.preview import (
    approval_note,
    dispatched_preview,
    preview_exit_code,
    preview_request,
    warn_overlaps,
)
from reconciler.core.statuses import StatusTable
from reconciler.load.tree import FLOWS_DIR, REQUESTS_DIR, load_tree
from reconciler.reporters.common import format_option, resolve_format
from reconciler.reporters.preview import render_preview
from reconciler.store import open_store
from reconciler.store.flows import flow_models
from reconciler.store.runs import StoreRunSource, dispatched_state

# Sub-commands defined in other modules: "module:attribute", loaded lazily on use.
REQUEST_COMMANDS: dict[str, str] = {
    "dispatch": "reconciler.cli.dispatch:dispatch",
    "status": "reconciler.cli.dispatch:status",
}


class _RequestsGroup(click.Group):
    def _lazy(self, name: str) -> click.Command | None:
        target = REQUEST_COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # not built yet
                return None
            raise
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        lazy = [name for name in REQUEST_COMMANDS if self._lazy(name) is not None]
        return sorted({*super().list_commands(ctx), *lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._lazy(cmd_name)


@click.group(cls=_RequestsGroup)
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
