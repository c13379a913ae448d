"""`reconciler status` in text, JSON, markdown and GitHub annotations: what needs attention
first, then flows by folder, endpoints (worst first), requests and the lock. The HTML page
is `reporters.status_html`; every format renders the same `StatusReport`."""

from __future__ import annotations

import html
from collections.abc import Iterator

from reconciler.core.commits import short_commit
from reconciler.core.status_report import (
    RUN_GROUPS,
    Attention,
    EndpointStatus,
    FlowStatus,
    RequestStatus,
    StatusReport,
)
from reconciler.reporters.common import github_escape, json_document, plural, truncate_markdown

TEXT_FLOWS = 200  # flows listed in text and markdown; JSON and the page list every one
TONE_MARK = {"error": "✗", "warning": "!", "notice": "·", "info": "·", "ok": "✓"}


def render_status(report: StatusReport, fmt: str) -> str:
    if fmt == "json":
        return json_document("status", report.to_json()) + "\n"
    if fmt == "markdown":
        return status_markdown(report)
    if fmt == "github":
        return "".join(annotation(a) + "\n" for a in report.attention) + status_text(report)
    if fmt == "html":
        from reconciler.reporters.status_html import status_html

        return status_html(report)
    return status_text(report)


# -- shared wording ----------------------------------------------------------------------
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
    text = f"{p['delivered']:,}/{r.run_count:,} runs delivered, {p['failed']:,} failed, {p['pending']:,} pending"
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
    if r.replay is not None:
        yield f"replay: {r.replay.describe()}"
    if r.cleared_by:
        yield f"cleared by request {r.cleared_by} (completed)"


# -- text --------------------------------------------------------------------------------
def attention_text(items: tuple[Attention, ...]) -> Iterator[str]:
    if not items:
        yield "Nothing needs attention."
        return
    yield f"Needs attention ({len(items)})"
    for a in items:
        yield f"  {TONE_MARK[a.tone]} {a.tone:<8} {a.message}"
        if a.hint:
            yield f"    {'':<8} hint: {a.hint}"


def status_text(report: StatusReport) -> str:
    lines = [f"Store: {report.store} (as of {report.generated_at})", ""]
    lines += attention_text(report.attention)
    lines += ["", f"Flows: {flows_line(report)}", f"  last apply      {last_apply_line(report)}"]
    lines.append(f"  store revision  {report.revision}")
    listed = 0
    for group in report.folders():
        lines.append(f"  {group.folder or '(top level)'}/")
        for f in group.flows:
            if listed == TEXT_FLOWS:
                break
            listed += 1
            errors = (
                f"; Error runs in {len(report.days)} days: {f.error_total:,}"
                if f.error_total
                else ""
            )
            lines.append(f"    {f.name}  [{f.state}]  runs: {runs_line(f)}{errors}")
            lines.append(f"      last dispatch: {last_dispatch_line(f)}")
    if len(report.flows) > listed:
        lines.append(
            f"  ... {len(report.flows) - listed:,} more flows (--format json or html lists all)"
        )
    lines += ["", f"Endpoints: {len(report.endpoints)}"]
    for e in report.endpoints:
        lines.append(f"  [{e.health}] {e.url}")
        lines.append(f"      {endpoint_line(e)}")
    lines += ["", f"Requests: {report.requests_total}" + _by_status(report)]
    for r in report.requests:
        look = r.look
        lines.append(
            f"  {look.symbol} {r.name}  {r.action}  [{look.label}]  {r.started_at or r.created_at}"
        )
        lines += [f"      {line}" for line in request_lines(r)]
    if report.requests_total > len(report.requests):
        lines.append(
            f"  ... {report.requests_total - len(report.requests)} older requests (`reconciler requests status`)"
        )
    lock = report.lock
    lines += [
        "",
        f"Lock: {'held by ' + lock.description + ' since ' + lock.acquired_at if lock and lock.alive else 'free'}",
    ]
    return "\n".join(lines) + "\n"


def _by_status(report: StatusReport) -> str:
    if not report.requests_by_status:
        return ""
    return " (" + ", ".join(f"{n} {s}" for s, n in sorted(report.requests_by_status.items())) + ")"


# -- markdown ------------------------------------------------------------------------------
def _cell(value: object) -> str:
    """A table cell: markup in a name stays text (a PR comment renders HTML)."""
    return html.escape(str(value), quote=False).replace("|", "\\|").replace("\n", " ")


def status_markdown(report: StatusReport) -> str:
    out = [
        "### flow-reconciler status",
        "",
        f"Store: `{_cell(report.store)}`, as of {report.generated_at}",
        "",
    ]
    out += ["#### Needs attention", ""]
    if report.attention:
        out += ["| | what | what to do |", "|---|---|---|"]
        out += [
            f"| {TONE_MARK[a.tone]} {a.tone} | {_cell(a.message)} | {_cell(a.hint or '')} |"
            for a in report.attention
        ]
    else:
        out.append("Nothing needs attention.")
    out += [
        "",
        f"#### Flows: {flows_line(report)}",
        "",
        f"Last apply: {_cell(last_apply_line(report))}",
        "",
    ]
    if report.flows:
        out += ["| folder | flow | state | runs | last dispatch |", "|---|---|---|---|---|"]
        for f in report.flows[:TEXT_FLOWS]:
            out.append(
                f"| {_cell(f.folder or '/')} | {_cell(f.name)} | {f.state} | {_cell(runs_line(f))} "
                f"| {_cell(last_dispatch_line(f))} |"
            )
        if len(report.flows) > TEXT_FLOWS:
            out.append(f"\n{len(report.flows) - TEXT_FLOWS:,} more flows: see the status page.")
    out += ["", f"#### Endpoints: {len(report.endpoints)}", ""]
    if report.endpoints:
        out += ["| health | URL | check and last POST |", "|---|---|---|"]
        out += [
            f"| {e.health} | {_cell(e.url)} | {_cell(endpoint_line(e))} |" for e in report.endpoints
        ]
    out += ["", f"#### Requests: {report.requests_total}{_by_status(report)}", ""]
    if report.requests:
        out += ["| request | action | state | progress |", "|---|---|---|---|"]
        for r in report.requests:
            out.append(
                f"| {_cell(r.name)} | {r.action} | {r.look.symbol} {_cell(r.look.label)} "
                f"| {_cell('; '.join(request_lines(r)))} |"
            )
    return truncate_markdown("\n".join(out) + "\n")


# -- GitHub annotations ----------------------------------------------------------------------
def annotation(a: Attention) -> str:
    level = {"error": "error", "warning": "warning"}.get(a.tone, "notice")
    where = f"file={github_escape(a.path, property_value=True)}," if a.path else ""
    title = github_escape(f"status: {a.kind} {a.subject}", property_value=True)
    text = a.message + (f" (hint: {a.hint})" if a.hint else "")
    return f"::{level} {where}title={title}::{github_escape(text)}"
