"""`reconciler check`: endpoint reachability of every distinct resubmit/resume URL."""

from __future__ import annotations

import click

from reconciler.cli.context import AppContext
from reconciler.reporters.common import format_option, resolve_format


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
    from concurrent.futures import ThreadPoolExecutor

    from reconciler.core.endpoints import changed_urls
    from reconciler.core.findings import Severity
    from reconciler.http.guard import NetworkSettings
    from reconciler.http.reachability import CheckOptions, check_endpoints
    from reconciler.load.endpoints import endpoint_uses, endpoints_at, tree_endpoints
    from reconciler.load.tree import load_tree
    from reconciler.reporters.check import Progress, emit
    from reconciler.store.base import open_store
    from reconciler.store.checks import record_checks, stored_endpoints

    fmt = resolve_format(output_format)
    settings = NetworkSettings.from_config(app.config(), app.root, ca_bundle=ca_bundle)
    with ThreadPoolExecutor(1) as pool:
        # Loading the CA stores overlaps with reading the tree; a bad bundle still fails
        # before any endpoint is contacted.
        ssl_ready = pool.submit(settings.ssl_context)
        tree = load_tree(app.root)
        ssl_ready.result()
    notes = []
    errors = sum(1 for f in tree.findings if f.severity is Severity.ERROR)
    if errors:
        notes.append(
            f"note: {errors} validation error(s) in the tree; checked the flows that loaded "
            "(run `reconciler validate`)."
        )
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
                options=CheckOptions(concurrency=concurrency, timeout=timeout),
                progress=progress,
                scope=scope,
                unchanged=unchanged,
                notes=notes,
            )
        finally:
            progress.close()
        record_checks(store, report.results)
    finally:
        store.close()
    emit(report, fmt)
    return 0 if report.ok else 1
