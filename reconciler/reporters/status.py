"""`reconciler status`: every section the same way."""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.core.status import StatusSection
from reconciler.reporters.common import json_document, truncate_markdown


def status_text(store: str, sections: Sequence[StatusSection]) -> str:
    lines = [f"Store: {store}"]
    for section in sections:
        lines.append("")
        lines.append(section.title + ("" if section.ok else "  (needs attention)"))
        width = max((len(label) for label, _ in section.rows), default=0)
        lines.extend(f"  {label:<{width}}  {value}" for label, value in section.rows)
    return "\n".join(lines) + "\n"


def status_markdown(store: str, sections: Sequence[StatusSection]) -> str:
    out = ["### flow-reconciler status", "", f"Store: `{store}`"]
    for section in sections:
        out += ["", f"#### {section.title}" + ("" if section.ok else " :warning:"), ""]
        out += ["| | |", "|---|---|"]
        out += [f"| {label} | {_cell(value)} |" for label, value in section.rows]
    return truncate_markdown("\n".join(out) + "\n")


def render_status(store: str, sections: Sequence[StatusSection], fmt: str) -> str:
    if fmt == "json":
        payload = {"store": store, "sections": {s.key: {**s.data, "ok": s.ok} for s in sections}}
        return json_document("status", payload) + "\n"
    if fmt == "markdown":
        return status_markdown(store, sections)
    return status_text(store, sections)


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")
