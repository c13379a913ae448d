"""`reconciler check`: endpoint reachability of every distinct resubmit/resume URL."""

from __future__ import annotations

from collections.abc import Sequence

import click

from reconciler.cli.context import AppContext
from reconciler.cli.params import FiniteFloatRange
from reconciler.core.endpoints import changed_urls
from reconciler.core.findings import Finding, Severity
from reconciler.core.secrets import mask
from reconciler.core.words import plural
from reconciler.http.reachability import CheckOptions, check_endpoints
from reconciler.http.settings import NetworkSettings
from reconciler.load.endpoints import endpoint_uses, endpoints_at, tree_endpoints
from reconciler.load.tree import load_tree
from reconciler.reporters.check import Progress, emit
from reconciler.reporters.common import format_option, resolve_format
from reconciler.store.base import open_store
from reconciler.store.checks import check_row, record_rows, stored_endpoints


@click.command()
@click.option(
    "--changed-only",
    is_flag=True,
    help="Only URLs that are new or changed against the store's flows (or --base).",
)
@click.option(
    "--base",
    metavar="REF",
    default=None,
    help="Compare against flows.d/ at this git revision (e.g. origin/main); implies --changed-only.",
)
@click.option(
    "--ca-bundle",
    type=click.Path(dir_okay=False),
    default=None,
    help="Extra trusted CAs (PEM); replaces network.caBundle of reconciler.yaml.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=20,
    show_default=True,
    help="URLs checked at the same time.",
)
@click.option(
    "--timeout",
    type=FiniteFloatRange(0.1, 300),
    default=10.0,
    show_default=True,
    help="Seconds per attempt (connect, TLS, response).",
)
@format_option()
@click.pass_obj
def check(
    app: AppContext,
    changed_only: bool,
    base: str | None,
    ca_bundle: str | None,
    concurrency: int,
    timeout: float,
    output_format: str | None,
) -> int:
    """Check that every distinct resubmit/resume URL is reachable (HEAD only, TLS verified,
    private addresses refused unless allowed). Exit 1 when one is unreachable."""
    fmt = resolve_format(output_format)
    settings = NetworkSettings.from_config(app.config(), app.root, ca_bundle=ca_bundle)
    options = CheckOptions(concurrency=concurrency, timeout=timeout)
    tree = load_tree(app.root)
    notes = _tree_notes(tree.findings)
    uses = endpoint_uses(tree)
    store = open_store(app.resolved_store_url(), root=app.root)
    try:
        scope, unchanged = "all", 0
        if changed_only or base:
            baseline = endpoints_at(app.root, base) if base else stored_endpoints(store)
            wanted = changed_urls(tree_endpoints(tree), baseline)
            unchanged = len(uses) - len(wanted & uses.keys())
            uses = {url: found for url, found in uses.items() if url in wanted}
            scope = f"changed since {base}" if base else "changed against the store"
        progress = Progress(len(uses))
        try:
            report = check_endpoints(
                uses,
                settings,
                options=options,
                progress=progress,
                scope=scope,
                unchanged=unchanged,
                notes=notes,
            )
        finally:
            progress.close()
        record_rows(store, [check_row(result) for result in report.results])
    finally:
        store.close()
    emit(report, fmt)
    # A flow that did not load had its URLs left unchecked: that is not a pass.
    return 0 if report.ok and tree.valid else 1


MAX_FINDINGS_NOTED = 5


def _tree_notes(findings: Sequence[Finding]) -> list[str]:
    """A tree with errors is still checked (the flows that loaded); say where they are."""
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if not errors:
        return []
    notes = [
        f"note: {plural(len(errors), 'validation error')} in the tree; checked the flows that loaded "
        "(run `reconciler validate`)."
    ]
    notes += [mask(f"  {f.location}: {f.message}") for f in errors[:MAX_FINDINGS_NOTED]]
    if len(errors) > MAX_FINDINGS_NOTED:
        notes.append(f"  ... and {len(errors) - MAX_FINDINGS_NOTED} more")
    return notes
