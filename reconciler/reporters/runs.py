"""Rendering of `runs import` and `runs list`."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import click

from reconciler.core.select import format_epoch_us
from reconciler.core.statuses import StatusTable
from reconciler.reporters.common import github_escape, json_document, pace, plural
from reconciler.store.runs import SelectedRun

if TYPE_CHECKING:  # runs list renders no import summary: it need not load the run model
    from reconciler.store.runimport import ImportSummary


class ImportProgress:
    """One self-overwriting line on stderr, at most ~5 updates a second (terminals only)."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._last = 0.0
        self._shown = False

    def __call__(self, path: str, records: int, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < 0.2 and done < total:
            return
        self._last = now
        line = pace(records, "records", now - self._started, done / total if total else None)
        sys.stderr.write(f"\rimporting {path}: {line}\x1b[K")
        sys.stderr.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def render_import(summary: ImportSummary, output_format: str) -> None:
    if output_format == "json":
        click.echo(
            json_document(
                "runs-import",
                {
                    "files": summary.files,
                    "read": summary.read,
                    "inserted": summary.inserted,
                    "updated": summary.updated,
                    "unchanged": summary.unchanged,
                    "rejected": summary.rejected,
                    "rejections": [asdict(r) for r in summary.rejections],
                    "memberships": summary.memberships,
                    "incompleteFiles": summary.incomplete_files,
                },
            )
        )
        return
    for rejection in summary.rejections:
        if output_format == "github":
            click.echo(
                f"::error file={github_escape(rejection.path, property_value=True)},"
                f"line={rejection.line},col={rejection.col},title=rejected run record::"
                + github_escape(f"record {rejection.index}: {rejection.reason}")
            )
        else:
            click.echo(
                f"{rejection.location}: record {rejection.index}: {rejection.reason}", err=True
            )
    hidden = summary.rejected - len(summary.rejections)
    if hidden > 0:
        click.echo(f"... and {plural(hidden, 'more rejected record')} (not listed)", err=True)
    files = ", ".join(summary.files)
    click.echo(
        f"{files}: {summary.inserted:,} inserted, {summary.updated:,} updated, "
        f"{summary.unchanged:,} unchanged, {summary.rejected:,} rejected"
        f" ({plural(summary.memberships, 'flow membership')} added)"
    )
    for path in summary.incomplete_files:
        click.echo(f"{path}: not read to the end (see the error above)", err=True)


def _run_row(run: SelectedRun, statuses: StatusTable) -> dict[str, Any]:
    return {
        "id": run.id,
        "workFlowRunId": run.workflow_run_id,
        "status": statuses.name(run.status_id),
        "statusId": run.status_id,
        "executionTime": format_epoch_us(run.execution_us),
        "chainId": run.chain_id,
        "workflowName": run.workflow_name,
    }


def render_runs(
    runs: Sequence[SelectedRun],
    counts: dict[int | None, int],
    statuses: StatusTable,
    *,
    offset: int,
    limit: int,
    output_format: str,
    flow: str | None,
    records: Sequence[str] | None = None,
) -> None:
    total = sum(counts.values())
    next_offset = offset + len(runs) if offset + len(runs) < total else None
    if output_format == "ndjson":
        for text in records or ():
            click.echo(text)
        return
    by_status = {statuses.name(code): n for code, n in sorted(counts.items(), key=_code_key)}
    if output_format == "json":
        click.echo(
            json_document(
                "runs",
                {
                    "flow": flow,
                    "total": total,
                    "byStatus": by_status,
                    "offset": offset,
                    "limit": limit,
                    "nextOffset": next_offset,
                    "runs": [_run_row(run, statuses) for run in runs],
                },
                compact=True,  # pages can hold 100,000 runs
            )
        )
        return
    rows = [_run_row(run, statuses) for run in runs]
    headers = ("ID", "WORKFLOW RUN ID", "STATUS", "EXECUTED (UTC)", "CHAIN ID", "WORKFLOW")
    keys = ("id", "workFlowRunId", "status", "executionTime", "chainId", "workflowName")
    table = [[str(row[k] if row[k] is not None else "-") for k in keys] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in table]) for i, h in enumerate(headers)]
    if table:
        click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
        for r in table:
            click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    summary = ", ".join(f"{name} {n:,}" for name, n in by_status.items()) or "none"
    where = f" in flow {flow!r}" if flow else ""
    shown = f"showing {offset + 1:,}-{offset + len(runs):,}" if runs else "none shown"
    verb = "matches" if total == 1 else "match"
    click.echo(f"{plural(total, 'run')} {verb}{where} ({summary}); {shown}")
    if next_offset is not None:
        click.echo(f"next page: --offset {next_offset}")


def _code_key(item: tuple[int | None, int]) -> tuple[bool, int]:
    return (item[0] is None, item[0] or 0)
