"""`reconciler check` output: text table, json, github annotations, markdown."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime

import click

from reconciler.core.endpoints import CheckReport, CheckResult, EndpointUse
from reconciler.reporters.common import (
    github_escape,
    is_terminal,
    json_document,
    plural,
    truncate_markdown,
)

MAX_FLOWS_SHOWN = 3


def _state(result: CheckResult) -> str:
    if not result.reachable:
        return "FAIL"
    return "warn" if result.warnings else "ok"


def _uses(uses: Sequence[EndpointUse], limit: int = MAX_FLOWS_SHOWN) -> str:
    labels = sorted({f"{u.flow} ({u.action})" for u in uses})
    if not labels:
        return "-"
    shown = ", ".join(labels[:limit])
    return shown + (f" +{len(labels) - limit} more" if len(labels) > limit else "")


def _expiry(result: CheckResult, now: datetime) -> str:
    if result.cert_expires_at is None:
        return "-"
    days = (result.cert_expires_at - now).total_seconds() / 86400
    return f"{result.cert_expires_at:%Y-%m-%d} ({days:.0f} d)"


def _latency(result: CheckResult) -> str:
    return "-" if result.latency_ms is None else f"{result.latency_ms:.0f} ms"


def _note(result: CheckResult) -> str:
    if not result.reachable:
        return result.reason
    return "; ".join(result.warnings)


def _rows(report: CheckReport) -> list[tuple[str, ...]]:
    now = datetime.now(UTC)
    ordered = sorted(report.results, key=lambda r: (r.reachable, not r.warnings, r.url))
    return [
        (
            _state(r),
            r.url,
            str(r.http_status) if r.http_status is not None else "-",
            _latency(r),
            _expiry(r, now),
            _uses(r.uses),
            _note(r),
        )
        for r in ordered
    ]


HEADER = ("STATE", "URL", "HTTP", "LATENCY", "CERT EXPIRES", "USED BY", "NOTE")


def summary_line(report: CheckReport) -> str:
    s = report.summary()
    scope = "" if report.scope == "all" else f" ({report.scope})"
    text = (
        f"{plural(s['urls'], 'URL')}{scope} used by {plural(s['flows'], 'flow')}: "
        f"{s['reachable']} reachable, {s['unreachable']} unreachable, "
        f"{s['warnings']} with warnings"
    )
    if report.unchanged:
        text += f"; {plural(report.unchanged, 'unchanged URL')} not checked"
    return text + "."


def render_text(report: CheckReport) -> str:
    lines = list(report.notes)
    if report.results:
        rows = [HEADER, *_rows(report)]
        widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER) - 1)]
        for row in rows:
            cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
            lines.append("  ".join([*cells, row[-1]]).rstrip())
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines)


def render_json(report: CheckReport) -> str:
    return json_document(
        "check",
        {
            "ok": report.ok,
            "scope": report.scope,
            "summary": report.summary(),
            "durationMs": round(report.duration_s * 1000, 1),
            "notes": list(report.notes),
            "results": [r.to_json() for r in sorted(report.results, key=lambda r: r.url)],
        },
        compact=True,  # thousands of URLs and uses: the C encoder
    )


def _annotation(level: str, title: str, message: str, use: EndpointUse | None) -> str:
    props = [f"title={github_escape(title, property_value=True)}"]
    if use is not None and use.path:
        props.insert(0, f"file={github_escape(use.path, property_value=True)}")
        if use.line:
            props.insert(1, f"line={use.line}")
            props.insert(2, f"col={use.col}")
    return f"::{level} {','.join(props)}::{github_escape(message)}"


def render_github(report: CheckReport) -> str:
    lines: list[str] = []
    for result in sorted(report.results, key=lambda r: r.url):
        if result.reachable and not result.warnings:
            continue
        level, title = (
            ("error", "Endpoint unreachable")
            if not result.reachable
            else (
                "warning",
                "Endpoint warning",
            )
        )
        message = f"{result.url}: {_note(result)}"
        located: list[EndpointUse | None] = [u for u in result.uses if u.path]
        lines.extend(_annotation(level, title, message, use) for use in located or [None])
    lines.extend(report.notes)
    lines.append(summary_line(report))
    return "\n".join(lines)


def _md(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: CheckReport) -> str:
    icon = {"ok": "✅", "warn": "⚠️", "FAIL": "❌"}
    head = "### Endpoint check\n\n"
    if not report.ok:
        head += f"**{plural(len(report.unreachable), 'unreachable endpoint')}.** "
    head += summary_line(report) + "\n"
    for note in report.notes:
        head += f"\n> {_md(note)}\n"
    if not report.results:
        return head
    table = [
        "",
        "| | URL | HTTP | Latency | Certificate expires | Used by | Note |",
        "|---|---|---|---|---|---|---|",
    ]
    for state, url, status, latency, expiry, uses, note in _rows(report):
        table.append(
            f"| {icon[state]} | `{_md(url)}` | {status} | {latency} | {expiry} | "
            f"{_md(uses)} | {_md(note)} |"
        )
    return truncate_markdown(head + "\n".join(table) + "\n")


RENDERERS = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "markdown": render_markdown,
}


def emit(report: CheckReport, output_format: str) -> None:
    click.echo(RENDERERS[output_format](report))


class Progress:
    """`checking endpoints 37/200` on a terminal's stderr; silent in CI and pipes."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.enabled = is_terminal() and total > 1

    def __call__(self, result: CheckResult) -> None:
        self.done += 1
        if self.enabled:
            sys.stderr.write(f"\rchecking endpoints {self.done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
