"""What every reporter shares: format choice, the JSON envelope, markdown size limit."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click
from click.decorators import FC

from reconciler.core.words import plural as plural  # re-exported for the reporters

FORMAT_VERSION = 1
MARKDOWN_LIMIT = 65_000
FORMATS = ("text", "json", "github", "markdown")


def format_option(*choices: str) -> Callable[[FC], FC]:
    """`--format` with the given choices; default: github under GITHUB_ACTIONS, else text."""
    allowed = choices or FORMATS
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(allowed),
        default=None,
        help="Output format (default: github when GITHUB_ACTIONS=true, else text)."
        if "github" in allowed
        else "Output format (default: text).",
    )


def resolve_format(requested: str | None, allowed: tuple[str, ...] = FORMATS) -> str:
    if requested:
        return requested
    if os.environ.get("GITHUB_ACTIONS") == "true" and "github" in allowed:
        return "github"
    return "text"


def json_document(
    kind: str, payload: dict[str, Any], *, compact: bool = False, notices: Sequence[str] = ()
) -> str:
    """Every JSON output carries formatVersion and kind (and `notices`, right after them,
    when the command has something to say before its result). `compact` (one line) for
    outputs that can hold many thousands of items."""
    head: dict[str, Any] = {"formatVersion": FORMAT_VERSION, "kind": kind}
    if notices:
        head["notices"] = list(notices)
    return json.dumps(
        {**head, **payload},
        indent=None if compact else 2,
        separators=(",", ":") if compact else None,
        ensure_ascii=False,
        default=str,
    )


def pace(count: int, unit: str, elapsed: float, fraction: float | None) -> str:
    """`82,000 records (40%), 9,800/s, 12 s left`: how far, how fast, how long still."""
    text = f"{count:,} {unit}"
    if fraction is not None:
        text += f" ({100 * fraction:.0f}%)"
    if elapsed > 0.5 and count:
        text += f", {count / elapsed:,.0f}/s"
        if fraction and 0 < fraction < 1:
            text += f", {_duration(elapsed * (1 - fraction) / fraction)} left"
    return text


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def notice_lines(notices: Sequence[str], fmt: str) -> str:
    """What a command says before its result, in the first lines of a text, markdown or
    github output (JSON carries them as `notices`: see json_document)."""
    if fmt == "markdown":
        return "".join(f"> **Note:** {n}\n\n" for n in notices)
    if fmt == "github":
        return "".join(f"::warning::{github_escape(n)}\n" for n in notices)
    if fmt == "json":
        return ""
    return "".join(f"note: {n}\n" for n in notices)


def truncate_markdown(text: str, limit: int = MARKDOWN_LIMIT) -> str:
    """Keep a PR comment / step summary under GitHub's limit, cutting at a line boundary."""
    if len(text) <= limit:
        return text
    note = "\n\n> **Truncated:** the full report is larger than a PR comment allows; "
    note += "see the job log or the JSON output.\n"
    cut = text.rfind("\n", 0, limit - len(note))
    return text[: cut if cut > 0 else limit - len(note)] + note


def is_terminal() -> bool:
    """Progress and colour only for a person at a terminal, never in CI."""
    return sys.stderr.isatty() and not os.environ.get("CI") and "NO_COLOR" not in os.environ


def github_escape(value: str, *, property_value: bool = False) -> str:
    """Escape workflow-command data (and property values) per the Actions toolkit."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value
