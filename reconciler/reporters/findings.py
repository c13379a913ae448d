"""Rendering validation findings: text (with a caret snippet), json, github, markdown."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from reconciler.core.findings import Finding, Severity
from reconciler.reporters.common import github_escape, json_document, truncate_markdown

if TYPE_CHECKING:
    from reconciler.load.tree import Tree

SourceLine = Callable[[str, int], str | None]


def _summary(tree: Tree) -> str:
    errors = sum(f.severity is Severity.ERROR for f in tree.findings)
    warnings = len(tree.findings) - errors
    files = len({f.path for f in tree.findings})
    checked = f"{tree.files} file{'s' if tree.files != 1 else ''} checked"
    if not tree.findings:
        return f"All valid: {checked}."
    parts = [f"{errors} error{'s' if errors != 1 else ''}"]
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return f"{', '.join(parts)} in {files} file{'s' if files != 1 else ''} ({checked})."


def render_text(tree: Tree, source_line: SourceLine, color: bool = False) -> str:
    out: list[str] = []
    for finding in tree.findings:
        label = str(finding.severity)
        head = f"{finding.location}: {label}[{finding.rule}]: {finding.message}"
        if color:
            tint = "red" if finding.severity is Severity.ERROR else "yellow"
            head = (
                click.style(finding.location, bold=True)
                + ": "
                + click.style(f"{label}[{finding.rule}]", fg=tint, bold=True)
                + f": {finding.message}"
            )
        out.append(head)
        line = source_line(finding.path, finding.line) if finding.line > 0 else None
        if line is not None:
            shown = line.rstrip("\r\n").expandtabs(1)
            if len(shown) > 160:
                start = max(0, min(finding.col - 80, len(shown) - 160))
                shown, caret_at = shown[start : start + 160], finding.col - start
            else:
                caret_at = finding.col
            gutter = f"{finding.line:>5} | "
            out.append(gutter + shown)
            out.append(" " * (len(gutter) + max(caret_at - 1, 0)) + "^")
        if finding.hint:
            out.append(f"      = hint: {finding.hint}")
    if tree.findings:
        out.append("")
    out.append(_summary(tree))
    return "\n".join(out)


def render_json(tree: Tree) -> str:
    errors = sum(f.severity is Severity.ERROR for f in tree.findings)
    return json_document(
        "validation",
        {
            "valid": tree.valid,
            "files": tree.files,
            "cached": tree.cached,
            "errors": errors,
            "warnings": len(tree.findings) - errors,
            "findings": [
                {
                    "path": f.path,
                    "line": f.line,
                    "col": f.col,
                    "rule": f.rule,
                    "severity": str(f.severity),
                    "message": f.message,
                    "hint": f.hint,
                }
                for f in tree.findings
            ],
        },
    )


def render_github(tree: Tree) -> str:
    """Workflow commands: one annotation per finding, then the plain summary."""
    out = []
    for f in tree.findings:
        command = "error" if f.severity is Severity.ERROR else "warning"
        props = ",".join(
            [
                f"file={github_escape(f.path, property_value=True)}",
                f"line={f.line}",
                f"col={f.col}",
                f"title={github_escape(f.rule, property_value=True)}",
            ]
        )
        message = f.message + (f"\nhint: {f.hint}" if f.hint else "")
        out.append(f"::{command} {props}::{github_escape(message)}")
    out.append(_summary(tree))
    return "\n".join(out)


def render_markdown(tree: Tree) -> str:
    if not tree.findings:
        return f"### reconciler validate\n\n{_summary(tree)}\n"
    rows = [
        "### reconciler validate",
        "",
        _summary(tree),
        "",
        "| where | rule | message |",
        "|---|---|---|",
    ]
    for f in tree.findings:
        message = f.message + (f" ({f.hint})" if f.hint else "")
        message = message.replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{f.location}` | `{f.rule}` | {message} |")
    return truncate_markdown("\n".join(rows) + "\n")


def render(tree: Tree, output_format: str, source_line: SourceLine, color: bool = False) -> str:
    if output_format == "json":
        return render_json(tree)
    if output_format == "github":
        return render_github(tree)
    if output_format == "markdown":
        return render_markdown(tree)
    return render_text(tree, source_line, color)


def print_findings(
    tree: Tree, output_format: str, source_line: SourceLine, color: bool = False
) -> None:
    click.echo(render(tree, output_format, source_line, color))


__all__ = ["Finding", "print_findings", "render"]
