"""Endpoint checks during `reconciler apply`: the URLs an apply
newly writes are checked, recorded with the apply and warned about; with
`--require-reachable` an unreachable one refuses the whole apply (nothing is written).

Network I/O happens BEFORE the apply takes the store lock (`prefetch` on a read-only plan),
so a slow endpoint never holds other writers up; inside the transaction `check` only
checks what the final plan has that the prefetch did not (a concurrent change)."""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.core.endpoints import CheckReport, CheckResult, EndpointUse
from reconciler.core.plan import Plan, PlanEntry
from reconciler.core.words import plural
from reconciler.errors import ReconcilerError
from reconciler.http.reachability import CheckOptions, check_endpoints
from reconciler.http.settings import NetworkSettings
from reconciler.store.base import Store
from reconciler.store.checks import record_checks

MAX_LISTED = 10


class EndpointUnreachable(ReconcilerError):
    """apply --require-reachable: a changed URL did not answer."""


def changed_uses(entries: Sequence[PlanEntry]) -> dict[str, list[EndpointUse]]:
    """URL -> the (flow, action) uses an apply writes anew."""
    uses: dict[str, list[EndpointUse]] = {}
    for entry in entries:
        if not entry.changing:
            continue
        for action, url in entry.changed_urls().items():
            uses.setdefault(url, []).append(EndpointUse(entry.flow, action, entry.path))
    return uses


class EndpointCheckHook:
    """An ApplyHook (reconciler.services.reconcile): check, refuse or warn, record."""

    def __init__(
        self,
        settings: NetworkSettings,
        *,
        require_reachable: bool = False,
        options: CheckOptions | None = None,
    ) -> None:
        self.settings = settings
        self.require_reachable = require_reachable
        self.options = options or CheckOptions()
        self.results: dict[str, CheckResult] = {}
        self.report: CheckReport | None = None

    def _run(self, uses: dict[str, list[EndpointUse]]) -> None:
        missing = {url: found for url, found in uses.items() if url not in self.results}
        if missing:
            report = check_endpoints(missing, self.settings, options=self.options)
            self.results.update({r.url: r for r in report.results})
        self.report = CheckReport(
            tuple(self.results[url].with_uses(found) for url, found in uses.items())
        )

    def prefetch(self, plan: Plan) -> None:
        """Check the URLs of a plan computed outside the lock."""
        self._run(changed_uses(plan.changes))

    def check(self, plan: Plan) -> None:
        self._run(changed_uses(plan.changes))
        assert self.report is not None
        if self.require_reachable and self.report.unreachable:
            bad = self.report.unreachable
            listed = "\n".join(
                f"  {r.url} ({', '.join(r.flows)}): {r.reason}" for r in bad[:MAX_LISTED]
            )
            more = f"\n  ... and {len(bad) - MAX_LISTED} more" if len(bad) > MAX_LISTED else ""
            raise EndpointUnreachable(
                f"{plural(len(bad), 'changed endpoint')} unreachable; nothing was applied "
                f"(--require-reachable):\n{listed}{more}",
                hint="fix the URL or the endpoint, or apply without --require-reachable",
            )

    def record(self, store: Store, plan: Plan, applied: Sequence[PlanEntry]) -> None:
        if self.report is not None:
            record_checks(store, self.report.results)

    def notes(self) -> list[str]:
        """Warnings for the apply output (unreachable endpoints, endpoint warnings)."""
        if self.report is None:
            return []
        lines = [
            f"unreachable endpoint {r.url} ({', '.join(r.flows)}): {r.reason}"
            for r in self.report.unreachable
        ]
        lines += [
            f"endpoint warning {r.url} ({', '.join(r.flows)}): {w}"
            for r in self.report.warned
            for w in r.warnings
        ]
        return lines
