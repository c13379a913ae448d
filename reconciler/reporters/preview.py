"""Rendering of `requests preview`: text, markdown (PR comment), json."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from reconciler.core.findings import Finding
from reconciler.core.preview import SELECTED_NO_RUNS, Exclusion, FlowPreview, RequestPreview
from reconciler.reporters.common import (
    github_escape,
    json_document,
    notice_lines,
    plural,
    truncate_markdown,
)

STATE_WORDS = {
    "ready": "ready",
    "empty": "nothing to send",
    "refused": "REFUSED",
    "dispatched": "already dispatched",
}
STATE_ICONS = {"ready": "✅", "empty": "➖", "refused": "❌", "dispatched": "📦"}


def _by_status(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in counts.items())


def _exclusion(e: Exclusion) -> str:
    detail = f" ({_by_status(e.by_status)})" if e.by_status else ""
    return f"{e.count:,} {e.reason}{detail}"


def _batches(n: int) -> str:
    return plural(n, "batch", "batches")


def _headline(p: RequestPreview) -> str:
    if p.state == "dispatched":
        return f"{p.action}: {STATE_WORDS[p.state]}"
    excluded = p.selected - p.send
    tail = f", {excluded:,} excluded" if excluded else ""
    return (
        f"{p.action} {plural(p.send, 'run')} in {_batches(p.batches)}{tail} "
        f"(maxRuns {p.max_runs:,}): {STATE_WORDS[p.state]}"
    )


def render_preview(
    previews: Sequence[RequestPreview],
    findings: Sequence[Finding],
    output_format: str,
    *,
    notices: Sequence[str] = (),
) -> None:
    if output_format == "json":
        click.echo(_json(previews, findings, notices))
        return
    click.echo(notice_lines(notices, output_format), nl=False)
    if output_format == "markdown":
        click.echo(truncate_markdown(_markdown(previews, findings)))
    else:
        _text(previews, findings, github=output_format == "github")


def _json(
    previews: Sequence[RequestPreview], findings: Sequence[Finding], notices: Sequence[str]
) -> str:
    items: list[dict[str, Any]] = []
    for p in previews:
        items.append(
            {
                "name": p.name,
                "path": p.path,
                "action": p.action,
                "reason": p.reason,
                "state": p.state,
                "maxRuns": p.max_runs,
                "send": p.send,
                "selected": p.selected,
                "batches": p.batches,
                "problems": p.problems,
                "notes": p.notes,
                "warnings": p.warnings,
                "schedule": p.schedule,
                "approval": p.approval,
                "flows": [
                    {
                        "flow": f.flow,
                        "url": f.url,
                        "membership": f.membership,
                        "send": f.send,
                        "sendByStatus": f.send_by_status,
                        "exclusions": [
                            {"reason": e.reason, "count": e.count, "byStatus": e.by_status}
                            for e in f.exclusions
                        ],
                        "batchSize": f.batch_size,
                        "batches": f.batches,
                        "rateLimit": (
                            {"requests": f.rate_limit.requests, "per": f.rate_limit.per}
                            if f.rate_limit
                            else None
                        ),
                        "expectedDuration": f.duration,
                        "sample": [
                            {
                                "id": s.id,
                                "workFlowRunId": s.workflow_run_id,
                                "chainId": s.chain_id,
                                "workflowName": s.workflow_name,
                                "status": s.status,
                                "executionTime": s.execution_time,
                            }
                            for s in f.sample
                        ],
                    }
                    for f in p.flows
                ],
            }
        )
    return json_document(
        "requests-preview",
        {
            "ok": not findings and not any(p.problems for p in previews),
            "requests": items,
            "findings": [f._asdict() for f in findings],
        },
        notices=notices,
    )


def _text(previews: Sequence[RequestPreview], findings: Sequence[Finding], *, github: bool) -> None:
    for f in findings:
        if github:
            click.echo(
                f"::{f.severity.value} file={github_escape(f.path, property_value=True)},"
                f"line={f.line},col={f.col}::{github_escape(f.message)}"
            )
        else:
            click.echo(f"{f.location}: {f.severity.value}: {f.message}", err=True)
    if not previews and not findings:
        click.echo("no requests to preview")
    for p in previews:
        click.echo(f"request {p.name} ({p.path}): {_headline(p)}")
        click.echo(f"  reason: {p.reason}")
        for note in p.notes:
            click.echo(f"  note: {note}")
        for warning in p.warnings:
            _echo_finding(p, "warning", warning, github=github)
        if p.schedule:
            click.echo(f"  schedule: {p.schedule}")
        if p.approval:
            click.echo(f"  approval: {p.approval}")
        for flow in p.flows:
            _text_flow(flow)
        for problem in p.problems:
            _echo_finding(p, "error", problem, github=github)


def _echo_finding(p: RequestPreview, level: str, message: str, *, github: bool) -> None:
    """A request's problem or warning: an annotation on its file, or an indented line."""
    if github:
        click.echo(
            f"::{level} file={github_escape(p.path, property_value=True)}::"
            + github_escape(f"request {p.name}: {message}")
        )
    else:
        click.echo(f"  {level}: {message}")


def _text_flow(f: FlowPreview) -> None:
    target = f" -> {f.url}" if f.url else ""
    membership = "" if f.membership == "store" else f" [members from {f.membership} mappings]"
    click.echo(f"  flow {f.flow}{target}{membership}")
    click.echo(f"    send: {f.send:,}" + (f" ({_by_status(f.send_by_status)})" if f.send else ""))
    for e in f.exclusions:
        click.echo(f"    excluded: {_exclusion(e)}")
    if f.batches:
        click.echo(f"    {_batches(f.batches)} of up to {plural(f.batch_size, 'run')}")
    if f.duration:
        click.echo(f"    rate limit: {f.duration}")
    if f.sample:
        click.echo(f"    first {len(f.sample)}:")
        for s in f.sample:
            click.echo(
                f"      {s.id}  {s.status}  {s.execution_time or '-'}  chain {s.chain_id or '-'}"
            )


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


MAX_NAMES_LISTED = 10
# The PR comment's line for SELECTED_NO_RUNS: a reviewer must not read it as a mere warning,
# since `requests preview` fails the check on it and dispatch would send nothing.
EMPTY_SELECTION = (
    "this request selects no runs: `requests preview` exits 1, and dispatch would freeze "
    "nothing and send nothing (the request stays pending). Set `limits.allowEmpty: true` or "
    "widen the selection."
)


def _blocked_empty(p: RequestPreview) -> bool:
    return p.state == "empty" and not p.allow_empty


def _markdown(previews: Sequence[RequestPreview], findings: Sequence[Finding]) -> str:
    """The PR comment's section: the requests this pull request could send, in full; the
    ones dispatched earlier (immutable, nothing to preview) in one line."""
    lines: list[str] = []
    if not previews and not findings:
        return "No pending requests in `requests.d/`.\n"
    done = [p for p in previews if p.state == "dispatched"]
    pending = [p for p in previews if p.state != "dispatched"]
    refused = sum(1 for p in pending if p.state == "refused")
    empty = sum(1 for p in pending if _blocked_empty(p))
    problems = ([f"**{refused} refused**"] if refused else []) + (
        [f"**{plural(empty, 'request')} selecting no runs**"] if empty else []
    )
    summary = (
        f"{plural(len(pending), 'request')} to dispatch on merge: "
        + (", ".join(problems) if problems else "none refused")
        + f"; {plural(sum(p.send for p in pending), 'run')} would be sent. Nothing is sent "
        "from a pull request."
    )
    lines += [summary, ""]
    if done:
        names = ", ".join(f"`{_md(p.name)}`" for p in done[:MAX_NAMES_LISTED])
        more = f" and {len(done) - MAX_NAMES_LISTED} more" if len(done) > MAX_NAMES_LISTED else ""
        lines += [f"{STATE_ICONS['dispatched']} Already dispatched: {names}{more}.", ""]
    if findings:
        lines.append("**Invalid request files**")
        lines.append("")
        lines += [f"- `{f.location}`: {_md(f.message)}" for f in findings]
        lines.append("")
    if pending:
        lines += ["| | request | action | runs | batches | excluded |", "|---|---|---|--:|--:|--:|"]
        for p in pending:
            lines.append(
                f"| {STATE_ICONS[p.state]} | `{_md(p.name)}` | {p.action} | {p.send:,} | "
                f"{p.batches:,} | {p.selected - p.send:,} |"
            )
        lines.append("")
    for p in pending:
        lines.append(f"#### {STATE_ICONS[p.state]} `{_md(p.name)}` — {_md(_headline(p))}")
        lines.append("")
        lines.append(f"_{_md(p.reason)}_ (`{_md(p.path)}`)")
        lines.append("")
        for problem in p.problems:
            lines.append(f"- ❌ {_md(problem)}")
        if _blocked_empty(p):
            lines.append(f"- ❌ {EMPTY_SELECTION}")
        for warning in p.warnings:
            if warning != SELECTED_NO_RUNS:
                lines.append(f"- ⚠️ {_md(warning)}")
        for note in p.notes:
            lines.append(f"- {_md(note)}")
        if p.schedule:
            lines.append(f"- 🕒 schedule: {_md(p.schedule)}")
        if p.approval:
            lines.append(f"- 👀 approval: {_md(p.approval)}")
        if p.problems or p.warnings or p.notes or p.schedule or p.approval:
            lines.append("")
        for f in p.flows:
            lines += _markdown_flow(f)
    return "\n".join(lines) + "\n"


def _markdown_flow(f: FlowPreview) -> list[str]:
    target = f" → `{_md(f.url)}`" if f.url else ""
    lines = [f"**{_md(f.flow)}**{target}", ""]
    if f.membership == "git":
        lines += ["_Members from this branch's mappings (not applied to the store yet)._", ""]
    lines.append(
        f"- send **{f.send:,}**"
        + (f" ({_md(_by_status(f.send_by_status))})" if f.send else "")
        + (f" in {_batches(f.batches)} of up to {f.batch_size}" if f.batches else "")
    )
    if f.duration:
        lines.append(f"- rate limit: {_md(f.duration)}")
    for e in f.exclusions:
        lines.append(f"- excluded {_md(_exclusion(e))}")
    lines.append("")
    if f.sample:
        lines += [
            "<details><summary>first runs</summary>",
            "",
            "| id | status | executed (UTC) | chain | workflow |",
            "|---|---|---|---|---|",
        ]
        for s in f.sample:
            lines.append(
                f"| `{_md(s.id)}` | {_md(s.status)} | {_md(s.execution_time or '-')} | "
                f"`{_md(s.chain_id or '-')}` | {_md(s.workflow_name or '-')} |"
            )
        lines += ["", "</details>", ""]
    return lines
