"""The wording `reconciler status` shares between its text, markdown and HTML forms (one
module both reporters import, so neither imports the other)."""

from __future__ import annotations

from collections.abc import Iterator

from reconciler.core.commits import short_commit
from reconciler.core.status_report import (
    RUN_GROUPS,
    EndpointStatus,
    FlowStatus,
    RequestStatus,
    StatusReport,
)
from reconciler.reporters.common import plural


def flows_line(report: StatusReport) -> str:
    c = report.flow_counts()
    drifted = f", {c['drift']} drifted" if c["drift"] else ""
    return f"{plural(c['total'], 'flow')} ({c['managed']} managed by Git{drifted}, {c['unmanaged']} unmanaged)"


def last_apply_line(report: StatusReport) -> str:
    a = report.last_apply
    if a is None:
        return "never"
    commit = f" at commit {short_commit(a.commit)}" if a.commit else ""
    return f"{a.at} by {a.actor or 'unknown'}{commit} ({plural(a.changes, 'change')})"


def runs_line(flow: FlowStatus) -> str:
    parts = [f"{group} {flow.runs[group]:,}" for group in RUN_GROUPS if flow.runs.get(group)]
    return ", ".join(parts) or "no runs"


def last_dispatch_line(flow: FlowStatus) -> str:
    return flow.last_dispatch.describe() if flow.last_dispatch else "never dispatched"


def endpoint_line(e: EndpointStatus) -> str:
    if e.check is None:
        check = "never checked (run `reconciler check`)"
    else:
        c = e.check
        http = f" HTTP {c.http_status}" if c.http_status else ""
        latency = f", {c.latency_ms:.0f} ms" if c.latency_ms is not None else ""
        days = e.cert_days_left
        cert = f", certificate {plural(days, 'day')} left" if days is not None else ""
        words = "reachable" if c.reachable else c.reason
        check = f"{words}{http}{latency}{cert} (checked {c.checked_at:%Y-%m-%d %H:%M} UTC)"
    post = f"; last POST {e.last_dispatch.describe()}" if e.last_dispatch else ""
    return f"check: {check}{post}"


def progress_line(r: RequestStatus) -> str:
    p = r.progress()
    text = (
        f"{p['delivered']:,}/{plural(r.run_count, 'run')} delivered, {p['failed']:,} failed, "
        f"{p['pending']:,} pending"
    )
    if p["cancelled"]:
        text += f", {p['cancelled']:,} cancelled"
    text += f"; {plural(r.attempts, 'attempt')}"
    if r.retries:
        text += f" ({plural(r.retries, 'retry', 'retries')})"
    return text


def request_lines(r: RequestStatus) -> Iterator[str]:
    """The lines `status` and `requests status NAME` show under a request."""
    yield progress_line(r)
    if r.last_error:
        yield f"last error: {r.last_error}"
    if r.hold:
        yield f"{r.status}: {r.hold}"
    if r.replay is not None:
        yield f"replay: {r.replay.describe()}"
    if r.cleared_by:
        yield f"cleared by request {r.cleared_by} (completed)"
