"""The audit log as text or JSON."""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.core.commits import short_commit
from reconciler.core.fielddiff import FieldChange
from reconciler.reporters.common import json_document, truncate_markdown
from reconciler.reporters.plan import change_line
from reconciler.store.audit import AuditRecord


def _short(value: str | None) -> str:
    if not value:
        return "-"
    return value.removeprefix("sha256:")[:12]


def _subject(r: AuditRecord) -> str:
    if r.kind == "batch" and r.request:
        seq = r.detail.get("seq") if isinstance(r.detail, dict) else None
        batch = f" {r.flow}#{seq}" if r.flow is not None and seq is not None else ""
        return f'request "{r.request}" batch{batch}'
    if r.flow:
        return f'flow "{r.flow}"'
    return f'request "{r.request}"' if r.request else r.kind


def history_text(records: Sequence[AuditRecord]) -> str:
    if not records:
        return "No audit records match.\n"
    lines = []
    for r in records:
        commit = f" @{short_commit(r.commit)}" if r.commit else ""
        hashes = (
            f"  {_short(r.before_hash)} -> {_short(r.after_hash)}"
            if r.before_hash or r.after_hash
            else ""
        )
        lines.append(
            f"{r.at}  {r.action:<9} {_subject(r)}  by {r.actor or 'unknown'}{commit}{hashes}"
        )
        note = r.detail.get("note") if isinstance(r.detail, dict) else None
        if note:
            lines.append(f"    # {note}")
        for c in r.diff:
            if isinstance(c, dict) and "path" in c:
                change = FieldChange(
                    str(c["path"]), c.get("before"), c.get("after"), str(c.get("kind", "changed"))
                )
                lines.append(f"    {change_line(change)}")
    return "\n".join(lines) + "\n"


def history_markdown(records: Sequence[AuditRecord]) -> str:
    """The audit log as a table, for a step summary or an issue."""
    if not records:
        return "No audit records match.\n"
    lines = [
        "### flow-reconciler history",
        "",
        "| when (UTC) | action | subject | by | commit | note |",
        "|---|---|---|---|---|---|",
    ]
    for r in records:
        note = r.detail.get("note") if isinstance(r.detail, dict) else None
        changes = [f"{c['path']}" for c in r.diff if isinstance(c, dict) and "path" in c]
        what = note or (", ".join(changes[:5]) + (" ..." if len(changes) > 5 else ""))
        lines.append(
            f"| {r.at} | {r.action} | {_md(_subject(r))} | {_md(r.actor or 'unknown')} | "
            f"{'`' + short_commit(r.commit) + '`' if r.commit else '-'} | {_md(what or '')} |"
        )
    return truncate_markdown("\n".join(lines) + "\n")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_history(records: Sequence[AuditRecord], fmt: str) -> str:
    if fmt == "markdown":
        return history_markdown(records)
    if fmt == "json":
        return json_document("history", {"records": [r.to_json() for r in records]}) + "\n"
    return history_text(records)
