"""Rendering of `requests dispatch` outcomes and `requests status` ledger views.

Every text leaves through `emit`, which masks resolved secrets."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

import click

from reconciler.core.delivery import BatchResult, retry_causes
from reconciler.core.secrets import mask
from reconciler.core.status_report import ReplayOutcome
from reconciler.reporters.common import (
    github_escape,
    is_terminal,
    json_document,
    pace,
    plural,
    truncate_markdown,
)
from reconciler.services.dispatch import RequestOutcome
from reconciler.store import requests as requests_store
from reconciler.store.batches import Batch
from reconciler.store.requests import BATCH_STATES, Counts, RequestRow


def emit(text: str, *, err: bool = False) -> None:
    click.echo(mask(text), err=err)


class Progress:
    """One self-rewriting stderr line per request, only for a person at a terminal."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = is_terminal() if enabled is None else enabled
        self.name = ""
        self.total = 0
        self.done = 0
        self.failed = 0
        self._last = 0.0
        self._started = time.monotonic()
        self._runs = 0
        self._base = 0

    def start(self, outcome: RequestOutcome) -> None:
        self._started = time.monotonic()
        self._runs = 0
        self.name = outcome.name
        self.total = outcome.batch_count
        self.done = outcome.batches.get("delivered", 0) + outcome.batches.get("failed", 0)
        self.failed = outcome.batches.get("failed", 0)
        self._base = self.done  # settled before this run: not part of its pace
        self._draw(force=True)

    def batch(self, result: BatchResult) -> None:
        if result.status in ("delivered", "failed"):
            self.done += 1
            self._runs += result.runs
        if result.status == "failed":
            self.failed += 1
        self._draw()

    def finish(self) -> None:
        if self.enabled and self.name:
            click.echo("\r\033[K", nl=False, err=True)
        self.name = ""

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self._last < 0.1):
            return
        self._last = now
        todo = self.total - self._base
        fraction = (self.done - self._base) / todo if todo > 0 else None
        line = pace(self._runs, "runs sent", now - self._started, fraction)
        share = f"{self.done}/{plural(self.total, 'batch', 'batches')}"
        failed = f", {self.failed} failed" if self.failed else ""
        click.echo(f"\r\033[Kdispatching {self.name}: {share}{failed}; {line}", nl=False, err=True)


# -- dispatch ---------------------------------------------------------------------------
def _runs_line(o: RequestOutcome) -> str:
    delivered = o.runs.get("delivered", 0)
    failed = o.runs.get("failed", 0)
    open_runs = o.runs.get("pending", 0) + o.runs.get("in_flight", 0)
    parts = [
        f"{delivered:,}/{plural(o.run_count, 'run')} delivered in "
        f"{plural(o.batch_count, 'batch', 'batches')}"
    ]
    if failed:
        parts.append(f"{failed} failed")
    if open_runs:
        parts.append(f"{open_runs} not yet sent")
    return ", ".join(parts)


def _seconds(value: float) -> str:
    return f"{value:g} s"


def retries_line(o: RequestOutcome) -> str | None:
    """Which batches needed retries and why ("2 batches needed 3 retries: 2 x HTTP 429
    (Retry-After 2 s), 1 x HTTP 503"); None when every batch went through at once."""
    if not o.retries:
        return None
    batches = len({(r.flow, r.seq) for r in o.retries})
    causes = []
    for c in retry_causes(o.retries):
        waits = ", ".join(_seconds(w) for w in c.retry_after)
        causes.append(f"{c.attempts} x {c.cause}" + (f" (Retry-After {waits})" if waits else ""))
    return (
        f"{plural(batches, 'batch', 'batches')} needed {plural(len(o.retries), 'retry', 'retries')}: "
        + ", ".join(causes)
    )


def _summary(outcomes: list[RequestOutcome]) -> dict[str, Any]:
    by_status: dict[str, int] = {}
    for o in outcomes:
        if not o.skipped:
            by_status[o.status] = by_status.get(o.status, 0) + 1
    return {
        "requests": len([o for o in outcomes if not o.skipped]),
        "alreadyDone": len([o for o in outcomes if o.skipped]),
        "byStatus": by_status,
        "failed": any(o.failed and not o.skipped for o in outcomes),
    }


def dispatch_text(outcomes: list[RequestOutcome]) -> Iterator[str]:
    active = [o for o in outcomes if not o.skipped]
    for o in active:
        yield f"{o.name} ({o.action}): {o.status}"
        if o.batch_count or o.run_count:
            yield f"  {_runs_line(o)}"
        retried = retries_line(o)
        if retried:
            yield f"  {retried}"
        for reason, n in sorted(o.excluded.items()):
            yield f"  excluded: {n} run{'s' if n != 1 else ''} ({reason})"
        if o.error:
            yield f"  error: {o.error}"
        if o.hold:
            yield f"  {o.status}: {o.hold.get('reason')}"
        for f in o.failures:
            verb = "failed" if f.status == "failed" else "stopped"
            yield (
                f"  batch {f.flow}#{f.seq} {verb} after {f.attempts} attempt"
                f"{'s' if f.attempts != 1 else ''}: {f.reason}"
            )
    summary = _summary(outcomes)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary["byStatus"].items()))
    done = summary["alreadyDone"]
    tail = f"; {done} already done" if done else ""
    if not active:
        yield f"Nothing to dispatch{tail}."
    else:
        yield f"{summary['requests']} request{'s' if summary['requests'] != 1 else ''}: {counts}{tail}."


def dispatch_markdown(outcomes: list[RequestOutcome]) -> str:
    lines = [
        "### Request dispatch",
        "",
        "| request | action | status | runs | note |",
        "|---|---|---|---|---|",
    ]
    for o in outcomes:
        if o.skipped:
            continue
        hold = (o.hold or {}).get("reason")
        note = "; ".join(n for n in (o.error, hold, retries_line(o)) if n).replace("|", "\\|")
        lines.append(f"| `{o.name}` | {o.action} | **{o.status}** | {_runs_line(o)} | {note} |")
    lines.extend(["", *dispatch_text(outcomes)][-1:])
    return truncate_markdown("\n".join(lines) + "\n")


def render_dispatch(outcomes: list[RequestOutcome], fmt: str) -> None:
    if fmt == "json":
        emit(
            json_document(
                "dispatch",
                {"summary": _summary(outcomes), "requests": [o.as_dict() for o in outcomes]},
            )
        )
        return
    if fmt == "markdown":
        emit(dispatch_markdown(outcomes))
        return
    if fmt == "github":
        for o in outcomes:
            if o.failed and not o.skipped:
                message = f"request {o.name}: {o.status}" + (f" -- {o.error}" if o.error else "")
                file = f"file={github_escape(o.path, property_value=True)}," if o.path else ""
                emit(f"::error {file}title=dispatch::{github_escape(message)}")
            if o.hold and not o.skipped:  # not a failure; an approval missing wants a look
                level = "warning" if o.status == "awaiting_approval" else "notice"
                message = f"request {o.name}: {o.status} -- {o.hold.get('reason')}"
                file = f"file={github_escape(o.path, property_value=True)}," if o.path else ""
                emit(f"::{level} {file}title=dispatch::{github_escape(message)}")
            retried = retries_line(o)
            if retried and not o.skipped:
                file = f"file={github_escape(o.path, property_value=True)}," if o.path else ""
                emit(
                    f"::notice {file}title=retries::{github_escape(f'request {o.name}: {retried}')}"
                )
    for line in dispatch_text(outcomes):
        emit(line)


def render_notifications(outcomes: list[RequestOutcome]) -> None:
    """How telling the notify hooks went, on stderr whatever the format (and in json)."""
    for o in outcomes:
        for note in o.notes:
            emit(f"{o.name}: {note}", err=True)


# -- status -----------------------------------------------------------------------------
def _request_dict(row: RequestRow, c: Counts) -> dict[str, Any]:
    return {
        "name": row.name,
        "action": row.action,
        "status": row.status,
        "path": row.source_path,
        "commit": row.commit_sha,
        "actor": row.actor,
        "runCount": row.run_count,
        "batchCount": row.batch_count,
        "batches": c.batches,
        "runs": c.runs,
        "excluded": row.detail.get("excluded", {}),
        "error": row.detail.get("error"),
        "hold": row.detail.get("hold"),
        "approval": row.detail.get("approval"),
        "cancelled": row.detail.get("cancelled"),
        "createdAt": row.created_at,
        "startedAt": row.started_at,
        "finishedAt": row.finished_at,
    }


def _batch_dict(b: Batch) -> dict[str, Any]:
    return {
        "flow": b.flow,
        "seq": b.seq,
        "status": b.status,
        "attempts": b.attempts,
        "runs": b.run_count,
        "httpStatus": b.http_status,
        "reason": b.reason,
        "idempotencyKey": b.idempotency_key,
        "url": b.url,
        "claimedBy": b.claimed_by,
        "updatedAt": b.updated_at,
        "deliveredAt": b.delivered_at,
    }


_FAILED_STATES = (
    requests_store.FAILED,
    requests_store.REFUSED,
    requests_store.COMPLETED_WITH_FAILURES,
)


def _annotation(row: RequestRow) -> str | None:
    """A GitHub error annotation on the request file of a request that failed."""
    if row.status not in _FAILED_STATES:
        return None
    error = row.detail.get("error")
    message = f"request {row.name}: {row.status}" + (f" -- {error}" if error else "")
    file = f"file={github_escape(row.source_path, property_value=True)}," if row.source_path else ""
    return f"::error {file}title=requests status::{github_escape(message)}"


def _md(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _delivered(row: RequestRow, c: Counts) -> str:
    return f"{c.runs.get('delivered', 0):,}/{plural(row.run_count or 0, 'run')} delivered"


def request_list_markdown(rows: list[tuple[RequestRow, Counts]]) -> str:
    if not rows:
        return "No requests in the ledger yet.\n"
    lines = [
        "### Requests",
        "",
        "| request | action | status | runs | batches | started (UTC) |",
        "|---|---|---|---|---|---|",
    ]
    for row, c in rows:
        states = ", ".join(f"{c.batches[s]} {s}" for s in BATCH_STATES if c.batches.get(s))
        lines.append(
            f"| `{_md(row.name)}` | {row.action} | **{row.status}** | {_delivered(row, c)} | "
            f"{states or 'no batches'} | {row.started_at or row.created_at} |"
        )
    return truncate_markdown("\n".join(lines) + "\n")


def request_detail_markdown(
    row: RequestRow, batch_list: list[Batch], replay: ReplayOutcome | None
) -> str:
    lines = [
        f"### Request `{_md(row.name)}` ({row.action}): **{row.status}**",
        "",
        f"File `{_md(row.source_path or '-')}`, commit `{row.commit_sha or '-'}`, "
        f"by {_md(row.actor or '-')}; started {row.started_at or '-'}, "
        f"finished {row.finished_at or '-'}.",
    ]
    for reason, n in sorted(row.detail.get("excluded", {}).items()):
        lines.append(f"Excluded: {plural(n, 'run')} ({_md(reason)}).")
    if row.detail.get("error"):
        lines.append(f"Error: {_md(row.detail['error'])}")
    if row.detail.get("hold"):
        lines.append(f"{row.status.capitalize()}: {_md(row.detail['hold'].get('reason'))}")
    if replay is not None:
        lines.append(f"Replay outcome: {replay.describe()}.")
    if batch_list:
        lines += [
            "",
            "| batch | status | runs | attempts | HTTP | note |",
            "|---|---|---|---|---|---|",
        ]
        for b in batch_list:
            why = b.reason if b.reason and b.status != "delivered" else ""
            lines.append(
                f"| {_md(b.flow)}#{b.seq} | {b.status} | {b.run_count:,} | {b.attempts} | "
                f"{b.http_status or '-'} | {_md(why)} |"
            )
    return truncate_markdown("\n".join(lines) + "\n")


def render_request_list(rows: list[tuple[RequestRow, Counts]], fmt: str) -> None:
    if fmt == "json":
        emit(json_document("requestStatus", {"requests": [_request_dict(r, c) for r, c in rows]}))
        return
    if fmt == "markdown":
        emit(request_list_markdown(rows).rstrip("\n"))
        return
    if fmt == "github":
        for row, _ in rows:
            note = _annotation(row)
            if note:
                emit(note)
    if not rows:
        emit("No requests in the ledger yet.")
        return
    for row, c in rows:
        delivered = c.runs.get("delivered", 0)
        states = ", ".join(f"{c.batches[s]} {s}" for s in BATCH_STATES if c.batches.get(s))
        until = (row.detail.get("hold") or {}).get("nextAllowed")
        emit(
            f"{row.name}  {row.action}  {row.status}  {delivered:,}/{plural(row.run_count or 0, 'run')} "
            f"delivered  [{states or 'no batches'}]  {row.started_at or row.created_at}"
            + (f"  next allowed {until}" if until else "")
        )


def render_request_detail(
    row: RequestRow,
    c: Counts,
    batch_list: list[Batch],
    runs: Iterable[tuple[str, int, int, str, str]] | None,
    fmt: str,
    *,
    replay: ReplayOutcome | None = None,
) -> None:
    """`replay`: what became of the delivered chains (None before anything was delivered)."""
    if fmt == "json":
        payload: dict[str, Any] = {
            "request": {**_request_dict(row, c), "replay": replay.to_json() if replay else None},
            "batchList": [_batch_dict(b) for b in batch_list],
        }
        if runs is not None:
            payload["runList"] = [
                {"flow": f, "seq": s, "pos": p, "runId": r, "status": st} for f, s, p, r, st in runs
            ]
        emit(json_document("requestStatus", payload))
        return
    if fmt == "markdown":
        emit(request_detail_markdown(row, batch_list, replay).rstrip("\n"))
        return
    note = _annotation(row) if fmt == "github" else None
    if note:
        emit(note)
    emit(f"{row.name} ({row.action}): {row.status}")
    emit(f"  file {row.source_path or '-'}, commit {row.commit_sha or '-'}, by {row.actor or '-'}")
    emit(
        f"  created {row.created_at}, started {row.started_at or '-'}, finished {row.finished_at or '-'}"
    )
    for reason, n in sorted(row.detail.get("excluded", {}).items()):
        emit(f"  excluded: {n} run{'s' if n != 1 else ''} ({reason})")
    if row.detail.get("error"):
        emit(f"  error: {row.detail['error']}")
    if row.detail.get("hold"):
        emit(f"  {row.status}: {row.detail['hold'].get('reason')}")
    if row.detail.get("cancelled"):
        cancelled = row.detail["cancelled"]
        emit(
            f"  cancelled: {cancelled.get('batches', 0)} pending batches ({cancelled.get('reason')})"
        )
    if row.detail.get("approval"):
        approvers = row.detail["approval"].get("approvers") or {}
        who = "; ".join(f"{flow}: {', '.join(logins)}" for flow, logins in approvers.items())
        emit(f"  approved by {who or 'no owner needed'}")
    if replay is not None:
        emit(f"  replay outcome: {replay.describe()}")
    for b in batch_list:
        http = f" HTTP {b.http_status}" if b.http_status else ""
        why = f" -- {b.reason}" if b.reason and b.status != "delivered" else ""
        emit(
            f"  {b.flow}#{b.seq}: {b.status}, {plural(b.run_count, 'run')}, "
            f"{plural(b.attempts, 'attempt')}{http}, key {b.idempotency_key}{why}"
        )
    if runs is not None:
        for flow, seq, _pos, run_id, status in runs:
            emit(f"    {run_id}  {flow}#{seq}  {status}")
