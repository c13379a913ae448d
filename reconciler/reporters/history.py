"""The audit log as text or JSON."""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.core.commits import short_commit
from reconciler.core.plan import FieldChange
from reconciler.reporters.common import json_document
from reconciler.reporters.plan import change_line
from reconciler.store.audit import AuditRecord


def _short(value: str | None) -> str:
    if not value:
        return "-"
    return value.removeprefix("sha256:")[:12]


def history_text(records: Sequence[AuditRecord]) -> str:
    if not records:
        return "No audit records match.\n"
    lines = []
    for r in records:
        subject = (
            f'flow "{r.flow}"' if r.flow else f'request "{r.request}"' if r.request else r.kind
        )
        commit = f" @{short_commit(r.commit)}" if r.commit else ""
        lines.append(
            f"{r.at}  {r.action:<9} {subject}  by {r.actor or 'unknown'}{commit}  "
            f"{_short(r.before_hash)} -> {_short(r.after_hash)}"
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


def render_history(records: Sequence[AuditRecord], fmt: str) -> str:
    if fmt == "json":
        return json_document("history", {"records": [r.to_json() for r in records]}) + "\n"
    return history_text(records)
