"""`reconciler check`: endpoint reachability of every distinct resubmit/resume URL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from reconciler.cli.context import AppContext
from reconciler.reporters.common import format_option, resolve_format

if TYPE_CHECKING:
    from reconciler.core.findings import Finding
    from reconciler.http.reachability import BackgroundChecks
    from reconciler.reporters.check import Progress


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
    type=click.FloatRange(0.1, 300),
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
    from reconciler.http.connect import NetworkSettings, prefetch_trust

    prefetch_trust()  # the CA stores load while the rest starts up

    from reconciler.http.reachability import BackgroundChecks, CheckOptions
    from reconciler.reporters.check import Progress

    fmt = resolve_format(output_format)
    settings = NetworkSettings.from_config(app.config(), app.root, ca_bundle=ca_bundle)
    options = CheckOptions(concurrency=concurrency, timeout=timeout)
    # The checks' thread starts now: it builds the TLS context while the rest of this
    # command is imported and the tree loads, and checks each URL as soon as it is found
    # (cached files come first). Nothing is contacted before the TLS context is ready.
    progress = Progress()
    try:
        with BackgroundChecks(settings.policy, settings.ssl_context, options, progress) as checks:
            return _check(app, checks, progress, base=base, changed_only=changed_only, fmt=fmt)
    finally:
        progress.close()


def _check(
    app: AppContext,
    checks: BackgroundChecks,
    progress: Progress,
    *,
    base: str | None,
    changed_only: bool,
    fmt: str,
) -> int:
    from reconciler.core.endpoints import CheckReport, changed_urls
    from reconciler.load.endpoints import endpoint_uses, endpoints_at
    from reconciler.load.tree import FlowEndpoints, load_tree
    from reconciler.reporters.check import emit
    from reconciler.store.base import Store, open_store
    from reconciler.store.checks import record_checks, stored_endpoints

    store: Store | None = None
    baseline: dict[tuple[str, str], str] | None = None
    scope = "all"
    if base:
        baseline, scope = endpoints_at(app.root, base), f"changed since {base}"
    elif changed_only:
        store = open_store(app.resolved_store_url(), root=app.root)
        baseline, scope = stored_endpoints(store), "changed against the store"

    def wanted(item: FlowEndpoints) -> set[str]:
        urls = {(item.name, action): url for action, url in item.urls.items()}
        return set(urls.values()) if baseline is None else changed_urls(urls, baseline)

    def found(item: FlowEndpoints) -> None:
        for url in wanted(item):
            checks.submit(url)

    try:
        tree = load_tree(app.root, with_models=False, endpoints=True, on_endpoints=found)
        uses = endpoint_uses(tree)
        selected = set().union(*(wanted(item) for item in tree.endpoints))
        progress.total = len(selected)
        if store is None:  # opened (or created, migrated) while the checks run
            store = open_store(app.resolved_store_url(), root=app.root)
        results = {r.url: r for r in checks.results()}
        report = CheckReport(
            tuple(
                results[url].with_uses(found_uses)
                for url, found_uses in uses.items()
                if url in selected
            ),
            scope=scope,
            unchanged=len(uses.keys() - selected),
            notes=tuple(_tree_notes(tree.findings)),
            duration_s=checks.duration_s,
        )
        record_checks(store, report.results)
    finally:
        if store is not None:
            store.close()
    progress.close()
    emit(report, fmt)
    return 0 if report.ok else 1


MAX_FINDINGS_NOTED = 5


def _tree_notes(findings: Sequence[Finding]) -> list[str]:
    """A tree with errors is still checked (the flows that loaded); say where they are."""
    from reconciler.core.findings import Severity
    from reconciler.core.secrets import mask

    errors = [f for f in findings if f.severity is Severity.ERROR]
    if not errors:
        return []
    notes = [
        f"note: {len(errors)} validation error(s) in the tree; checked the flows that loaded "
        "(run `reconciler validate`)."
    ]
    notes += [mask(f"  {f.location}: {f.message}") for f in errors[:MAX_FINDINGS_NOTED]]
    if len(errors) > MAX_FINDINGS_NOTED:
        notes.append(f"  ... and {len(errors) - MAX_FINDINGS_NOTED} more")
    return notes
