from __future__ import annotations

from typing import Any

import click

from reconciler.cli.context import AppContext
from reconciler.cli.params import count
from reconciler.reporters.common import format_option, resolve_format
from reconciler.reporters.history import render_history
from reconciler.store.audit import query_audit

FORMATS = ("text", "json", "markdown")


# Each filter option's name is a key of reconciler.store.audit.HISTORY_FILTERS.
@click.command()
@click.option("--flow", help="Only records about this flow.")
@click.option(
    "--action",
    help="Only this action (create, update, delete, drift, adopt, ...; resubmit or resume "
    "for dispatches).",
)
@click.option("--kind", help="Only this kind of record (flow, request, batch, check).")
@click.option("--request", help="Only records about this request.")
@click.option(
    "--outcome",
    help="Only dispatch records with this outcome (delivered, failed, completed, "
    "completed_with_failures, refused, waiting, suspended, resumed, cancelled, "
    "awaiting_approval, approved).",
)
@click.option(
    "--chain-id", "chain_id", help="Only dispatch records that carried a run of this chain."
)
@click.option("--limit", type=count(1, 1_000_000), default=100, show_default=True)
@format_option(*FORMATS)
@click.pass_obj
def history(app: AppContext, /, limit: int, output_format: str | None, **filters: Any) -> None:
    """The audit log, newest first."""

    store = app.open_store(readonly=True)
    try:
        records = query_audit(store, filters, limit=limit)
    finally:
        store.close()
    click.echo(render_history(records, resolve_format(output_format, FORMATS)), nl=False)
