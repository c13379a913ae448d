"""`reconciler status` in text, JSON, markdown and GitHub annotations: what needs attention
first, then flows by folder, endpoints (worst first), requests and the lock. The HTML page
is `reporters.status_html`; every format renders the same `StatusReport`."""

from __future__ import annotations

import html
from collections.abc import Iterator

from reconciler.core.status_report import (
    Attention,
    StatusReport,
)
from reconciler.reporters.common import github_escape, json_document, plural, truncate_markdown
from reconciler.reporters.status_html import status_html
from reconciler.reporters.status_wording import (
    endpoint_line,
    flows_line,
    last_apply_line,
    last_dispatch_line,
    request_lines,
    runs_line,
)

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
        return status_html(report)
    return status_text(report)


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
                f"; Error runs in {plural(len(report.days), 'day')}: {f.error_total:,}"
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
