"""`reconciler check`: endpoint reachability of every distinct resubmit/resume URL."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from typing import TYPE_CHECKING

import click

from reconciler.cli.context import AppContext
from reconciler.reporters.common import format_option, resolve_format

if TYPE_CHECKING:
    from reconciler.core.findings import Finding


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
    from reconciler.http.trust import prefetch_trust

    prefetch_trust()  # the CA stores load on a thread while the rest starts up

    from reconciler.http.connect import NetworkSettings
    from reconciler.http.reachability import (
        CheckOptions,
        Probes,
        check_endpoints,
        sharing_the_interpreter,
    )
    from reconciler.load.tree import load_tree

    fmt = resolve_format(output_format)
    settings = NetworkSettings.from_config(app.config(), app.root, ca_bundle=ca_bundle)
    options = CheckOptions(concurrency=concurrency, timeout=timeout)
    probes: Probes | None = None

    def start(url: str) -> None:
        """Check every URL as soon as the tree has it (a whole-tree run: the changed-only
        scopes need the whole tree and a baseline first)."""
        nonlocal probes
        if probes is None:
            probes = Probes(settings.policy, settings.ssl_context(), options)
        probes.submit(url)

    # No models: each valid flow's URLs come from its validated (usually cached) document.
    # Uncached files in bulk are validated on forked processes: the CAs finish loading
    # first (no thread may run across a fork); otherwise they load during the tree.
    streaming = not (changed_only or base)
    with sharing_the_interpreter() if streaming else nullcontext():
        tree = load_tree(
            app.root,
            with_models=False,
            endpoints=True,
            before_pool=settings.ssl_context,
            on_url=start if streaming else None,
        )
    # The rest of the command's modules load while the first checks are under way.
    from reconciler.core.endpoints import CheckResult, changed_urls
    from reconciler.load.endpoints import endpoint_uses, endpoints_at, tree_endpoints
    from reconciler.reporters.check import Progress, emit
    from reconciler.startup import resume_collector
    from reconciler.store.base import open_store
    from reconciler.store.checks import CheckRow, check_row, record_rows, stored_endpoints

    notes = _tree_notes(tree.findings)
    uses = endpoint_uses(tree)
    store = open_store(app.resolved_store_url(), root=app.root)
    try:
        scope, unchanged = "all", 0
        if not streaming:
            baseline = endpoints_at(app.root, base) if base else stored_endpoints(store)
            wanted = changed_urls(tree_endpoints(tree), baseline)
            unchanged = len(uses) - len(wanted & uses.keys())
            uses = {url: found for url, found in uses.items() if url in wanted}
            scope = f"changed since {base}" if base else "changed against the store"
        settings.ssl_context()  # the CAs loaded meanwhile: not part of the checks' time
        resume_collector()  # start-up is over (reconciler.startup)
        progress = Progress(len(uses))
        rows: list[CheckRow] = []

        def arrived(result: CheckResult) -> None:
            progress(result)
            rows.append(check_row(result))  # while the other checks are under way

        try:
            report = check_endpoints(
                uses,
                settings,
                options=options,
                progress=arrived,
                scope=scope,
                unchanged=unchanged,
                notes=notes,
                probes=probes,
            )
        finally:
            progress.close()
        record_rows(store, rows)
    finally:
        store.close()
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
