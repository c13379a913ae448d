from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from reconciler import provenance
from reconciler.cli.context import AppContext
from reconciler.cli.params import FiniteFloatRange, count
from reconciler.core.notify import drift_event, run_link
from reconciler.core.plan import Action
from reconciler.errors import UsageError
from reconciler.http.apply_gate import EndpointCheckHook
from reconciler.http.notify import notify
from reconciler.http.settings import NetworkSettings
from reconciler.reporters.common import format_option, is_terminal, resolve_format
from reconciler.reporters.plan import render_apply
from reconciler.services.reconcile import (
    ApplyOptions,
    SavedPlan,
    apply_flows,
    desired_flows,
    make_plan,
)

FORMATS = ("text", "json", "markdown")


@click.command()
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Apply only if the store and flows.d/ are still what this saved plan saw.",
)
@click.option("--prune", is_flag=True, help="Delete managed flows that are no longer in Git.")
@click.option(
    "--max-deletes",
    type=count(0),
    default=5,
    show_default=True,
    help="Refuse (change nothing) when --prune would delete more flows than this.",
)
@click.option("--adopt", is_flag=True, help="Take over unmanaged store flows declared in Git.")
@click.option(
    "--lock-timeout",
    type=FiniteFloatRange(min=0, max=86_400),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another writer holding the store lock.",
)
@click.option(
    "--require-reachable",
    is_flag=True,
    help="Refuse the whole apply when a URL it writes anew is unreachable.",
)
@click.option(
    "--endpoint-check/--no-endpoint-check",
    default=True,
    show_default=True,
    envvar="RECONCILER_ENDPOINT_CHECK",
    help="Check (HEAD) the URLs this apply writes anew; record results and warn.",
)
@format_option(*FORMATS)
@click.pass_obj
def apply(
    app: AppContext,
    plan_file: Path | None,
    prune: bool,
    max_deletes: int,
    adopt: bool,
    lock_timeout: float,
    require_reachable: bool,
    endpoint_check: bool,
    output_format: str | None,
) -> None:
    """Apply flows.d/ to the store in one transaction, audited."""
    app.require_configured_store("reconciler apply")

    saved = SavedPlan.read(plan_file) if plan_file else None
    if saved is not None and adopt and not saved.adopt:
        raise UsageError(
            "--adopt does not match the saved plan, which was made without it",
            hint="run `reconciler plan --adopt --out FILE` and apply that",
        )
    desired = desired_flows(app.root)
    options = ApplyOptions(
        prune=prune, max_deletes=max_deletes, adopt=adopt, saved=saved, lock_timeout=lock_timeout
    )
    if require_reachable and not endpoint_check:
        raise UsageError("--require-reachable needs the endpoint check (drop --no-endpoint-check)")
    hooks = []
    if endpoint_check:
        settings = NetworkSettings.from_config(app.config(), app.root)
        hook = EndpointCheckHook(settings, require_reachable=require_reachable)
        hooks.append(hook)
    store = app.open_store()
    try:
        planned = None
        if endpoint_check:
            planned = make_plan(store, desired, adopt=saved.adopt if saved else adopt)
            hook.prefetch(planned)  # network I/O before the lock
        result = apply_flows(
            store, desired, options, provenance.current(app.root), hooks, planned=planned
        )
    finally:
        store.close()
    if endpoint_check:
        result.notes.extend(hook.notes())
    config = app.config()
    drifted = [
        (e.flow, e.changed_by, e.changed_at) for e in result.applied if e.action is Action.DRIFT
    ]
    event = drift_event(drifted, run_link(os.environ))
    if event is not None and config is not None and config.notify:
        network = NetworkSettings.from_config(config, app.root)
        outcomes = notify(config.notify, event, os.environ, network)
        result.notes.extend(outcome.describe() for outcome in outcomes)
    fmt = resolve_format(output_format, FORMATS)
    color = fmt == "text" and sys.stdout.isatty() and is_terminal()
    click.echo(render_apply(result, fmt, color=color), nl=False, color=color)
