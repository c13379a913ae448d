"""Plan and apply results as text (coloured on a terminal), markdown (PR comment) and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from reconciler.core.commits import short_commit
from reconciler.core.fielddiff import FieldChange
from reconciler.core.plan import Action, Plan, PlanEntry
from reconciler.reporters.common import (
    github_escape,
    json_document,
    notice_lines,
    plural,
    truncate_markdown,
)
from reconciler.services.reconcile import PLAN_KIND, ApplyResult

SYMBOL = {
    Action.CREATE: ("+", "green"),
    Action.UPDATE: ("~", "yellow"),
    Action.DRIFT: ("!", "magenta"),
    Action.ADOPT: ("*", "cyan"),
    Action.DELETE: ("-", "red"),
    Action.UNMANAGED: ("?", "bright_black"),
    Action.NOOP: ("=", "bright_black"),
}
MAX_VALUE = 200


def show_value(value: Any) -> str:
    """A diff value for people: secrets as references (env:NAME), unset keys left out, a
    header as `name: value`, long values cut."""
    if value is None:
        return "(none)"
    if isinstance(value, dict) and _is_header(value):  # the path names the header already
        value = value.get("valueFrom") or value.get("value")
    shown = _readable(value)
    if isinstance(value, dict) and isinstance(shown, str):  # an env reference
        text = shown
    else:
        text = json.dumps(shown, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


_HEADER_KEYS = {"name", "value", "valueFrom", "allowLiteralSecret"}


def _readable(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"env"}:
            return f"env:{value['env']}"
        if _is_header(value):
            source = value.get("valueFrom") or value.get("value")
            shown = _readable(source) if isinstance(source, dict) else json.dumps(source)
            return f"{value['name']}: {shown}"
        return {k: _readable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_readable(v) for v in value]
    return value


def _is_header(value: dict[str, Any]) -> bool:
    return "name" in value and set(value) <= _HEADER_KEYS


def diff_lines(change: FieldChange) -> list[str]:
    """A change as unified-diff lines (`-` before, `+` after), for a ```diff block."""
    lines = []
    if change.kind != "added":
        lines.append(f"- {change.path}: {show_value(change.before)}")
    if change.kind != "removed":
        lines.append(f"+ {change.path}: {show_value(change.after)}")
    return lines


def change_line(change: FieldChange) -> str:
    if change.kind == "added":
        return f"{change.path}: + {show_value(change.after)}"
    if change.kind == "removed":
        return f"{change.path}: - {show_value(change.before)}"
    return f"{change.path}: {show_value(change.before)} -> {show_value(change.after)}"


def summary_line(counts: dict[str, int], *, deletes_need_prune: bool = True) -> str:
    parts = [
        f"{counts['create']} to create",
        f"{counts['update']} to update",
        f"{counts['drift']} drifted",
        f"{counts['adopt']} to adopt",
        f"{counts['delete']} to delete" + (" (with --prune)" if deletes_need_prune else ""),
        f"{counts['unmanaged']} unmanaged",
        f"{counts['noop']} unchanged",
    ]
    return ", ".join(p for p in parts if not p.startswith("0 to adopt"))


def _heading(entry: PlanEntry) -> str:
    where = f"  {entry.path}" if entry.path else ""
    text = f'{entry.action:<9} "{entry.flow}"{where}'
    if entry.action is Action.DRIFT:
        who = entry.changed_by or "unknown"
        when = entry.changed_at or "unknown time"
        text += f"  (changed outside Git by {who} at {when})"
    return text


def plan_text(plan: Plan, *, color: bool = False) -> str:
    lines = [f"Plan: {summary_line(plan.counts())}  [store revision {plan.store_revision}]"]
    if not plan.entries:
        lines.append("No changes: the store matches flows.d/.")
    for entry in plan.entries:
        symbol, fg = SYMBOL[entry.action]
        lines.append("")
        lines.append(
            click.style(f"{symbol} {_heading(entry)}", fg=fg)
            if color
            else f"{symbol} {_heading(entry)}"
        )
        if entry.note and entry.action is not Action.CREATE:
            lines.append(f"    # {entry.note}")
        lines.extend(f"    {change_line(c)}" for c in entry.changes)
    return "\n".join(lines) + "\n"


def plan_markdown(plan: Plan) -> str:
    out = [
        "### flow-reconciler plan",
        "",
        f"**{summary_line(plan.counts())}** (store revision {plan.store_revision})",
        "",
    ]
    if not plan.entries:
        out.append("No changes: the store matches `flows.d/`.")
    for entry in plan.entries:
        path = f" (`{entry.path}`)" if entry.path else ""
        out.append(f"- **{entry.action}** `{_md_code(entry.flow)}`{path}")
        if entry.note and entry.action is not Action.CREATE:
            out.append(f"  - {entry.note}")
        if entry.action is Action.DRIFT:
            out.append(
                f"  - changed outside Git by {entry.changed_by or 'unknown'} at "
                f"{entry.changed_at or 'unknown time'}"
            )
        if entry.changes:
            out.append("")
            out.append("  ```diff")
            out.extend(
                f"  {line}".replace("```", "'''") for c in entry.changes for line in diff_lines(c)
            )
            out.append("  ```")
    return truncate_markdown("\n".join(out) + "\n")


def _md_code(text: str) -> str:
    return text.replace("`", "'")


def plan_document(plan: Plan) -> dict[str, Any]:
    """The JSON payload, also the `--out` plan file that `apply --plan` checks."""
    return {
        "storeRevision": plan.store_revision,
        "treeHash": plan.tree_hash,
        "digest": plan.digest(),
        "adopt": plan.adopt,
        "hasChanges": plan.has_changes,
        "summary": plan.counts(),
        "entries": [e.to_json() for e in plan.entries],
    }


def plan_json(plan: Plan) -> str:
    return json_document(PLAN_KIND, plan_document(plan)) + "\n"


def plan_github(plan: Plan) -> str:
    """GitHub annotations: the summary, then one per flow that would change, on its file
    (a drift or a delete as a warning: someone should look)."""
    lines = [f"::notice title=flow-reconciler plan::{github_escape(summary_line(plan.counts()))}"]
    for entry in plan.entries:
        if entry.action is Action.NOOP:
            continue
        level = "warning" if entry.action in (Action.DRIFT, Action.DELETE) else "notice"
        where = (
            f"file={github_escape(entry.path, property_value=True)},line=1," if entry.path else ""
        )
        detail = "; ".join(change_line(c) for c in entry.changes[:5])
        message = f"{entry.action} {entry.flow!r}" + (f": {detail}" if detail else "")
        lines.append(f"::{level} {where}title=plan: {entry.action}::{github_escape(message)}")
    return "\n".join(lines) + "\n"


def render_plan(plan: Plan, fmt: str, *, color: bool = False, notices: Sequence[str] = ()) -> str:
    if fmt == "json":
        return json_document(PLAN_KIND, plan_document(plan), notices=notices) + "\n"
    if fmt == "markdown":
        return notice_lines(notices, fmt) + plan_markdown(plan)
    if fmt == "github":
        return notice_lines(notices, fmt) + plan_github(plan)
    return notice_lines(notices, fmt) + plan_text(plan, color=color)


# -- apply ----------------------------------------------------------------------------------
def _applied_summary(applied: Sequence[PlanEntry]) -> str:
    counts: dict[str, int] = {}
    for e in applied:
        counts[str(e.action)] = counts.get(str(e.action), 0) + 1
    return ", ".join(f"{n} {a}" for a, n in counts.items())


def apply_text(result: ApplyResult, *, color: bool = False) -> str:
    prov = result.provenance
    who = f"by {prov.actor}" + (f" at commit {short_commit(prov.commit)}" if prov.commit else "")
    if result.applied:
        lines = [
            f"Applied {plural(len(result.applied), 'change')} ({_applied_summary(result.applied)}) "
            f"{who}; store revision {result.revision}."
        ]
    else:
        lines = [f"No changes: the store matches flows.d/ (store revision {result.revision})."]
    for entry in result.applied:
        symbol, fg = SYMBOL[entry.action]
        text = f"{symbol} {_heading(entry)}"
        lines.append(click.style(text, fg=fg) if color else text)
        lines.extend(f"    {change_line(c)}" for c in entry.changes)
    lines.extend(f"note: {n}" for n in result.notes)
    return "\n".join(lines) + "\n"


def apply_markdown(result: ApplyResult) -> str:
    out = ["### flow-reconciler apply", "", apply_text(result).splitlines()[0], ""]
    for entry in result.applied:
        out.append(f"- **{entry.action}** `{_md_code(entry.flow)}`")
    out.extend(f"> {n}" for n in result.notes)
    return truncate_markdown("\n".join(out) + "\n")


def render_apply(result: ApplyResult, fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        return json_document("apply", result.to_json()) + "\n"
    if fmt == "markdown":
        return apply_markdown(result)
    return apply_text(result, color=color)
