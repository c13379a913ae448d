"""The sticky pull-request comment: one markdown document assembled from the markdown each
PR step wrote (validate, check, plan, request previews) and their exit codes.

Never claims a step that did not run: a missing output with no exit code is "not run".
Stays under the 65,000-character comment limit by giving every section a fair share and
cutting the largest ones at a line boundary, closing any open code fence or <details>."""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.core.commits import short_commit
from reconciler.core.words import plural
from reconciler.reporters.common import MARKDOWN_LIMIT

MARKER = "<!-- flow-reconciler:pr-report -->"

# key -> title, in the order the PR workflow runs them.
SECTIONS: dict[str, str] = {
    "validate": "Validation",
    "check": "Endpoint checks",
    "plan": "Plan",
    "requests": "Request previews",
}
STDERR_TAIL_LINES = 20


@dataclass(frozen=True)
class Section:
    key: str
    markdown: str | None  # None: the step wrote nothing (skipped, or no such file)
    exit_code: int | None  # None: unknown (the step did not run)
    stderr: str = ""

    @property
    def title(self) -> str:
        return SECTIONS.get(self.key, self.key)

    @property
    def ran(self) -> bool:
        return self.exit_code is not None or self.markdown is not None

    @property
    def verdict(self) -> tuple[str, str]:
        """(icon, words) for the summary table."""
        if not self.ran:
            return "⏭️", "not run"
        code = self.exit_code
        if code == 0:
            return "✅", "no changes" if self.key == "plan" else "passed"
        if code == 2 and self.key == "plan":
            return "📝", "changes pending"
        if code == 1:
            return "❌", "failed"
        if code is None:
            return "❔", "exit code unknown"
        return "❌", f"error (exit {code})"

    @property
    def failed(self) -> bool:
        return self.verdict[0] == "❌"


def _close_open_blocks(text: str) -> str:
    """Close a code fence or <details> left open by a cut."""
    fences = sum(1 for line in text.splitlines() if line.lstrip().startswith("```"))
    closing = "\n```" if fences % 2 else ""
    opened = text.count("<details") - text.count("</details>")
    closing += "\n</details>" * max(opened, 0)
    return text + closing


def _cut(text: str, budget: int) -> str:
    if len(text) <= budget:
        return text
    total_lines = text.count("\n") + 1
    room = max(budget - 200, 0)  # keep space for the note and closers
    cut = text.rfind("\n", 0, room)
    kept = text[: cut if cut > 0 else room]
    dropped = total_lines - (kept.count("\n") + 1)
    note = (
        f"\n\n> **Truncated:** {plural(dropped, 'more line')} of this section do not fit in a PR "
        "comment; the job log and step summary have the rest.\n"
    )
    return _close_open_blocks(kept) + note


def _body(section: Section) -> str:
    if not section.ran:
        return "_This step did not run._"
    parts = []
    if section.markdown and section.markdown.strip():
        parts.append(section.markdown.strip())
    elif section.exit_code == 0:
        parts.append("_No output._")
    if section.failed and section.stderr.strip():
        tail = section.stderr.strip().splitlines()[-STDERR_TAIL_LINES:]
        parts.append("```text\n" + "\n".join(tail).replace("```", "'''") + "\n```")
    if not parts:
        parts.append("_No output; see the job log._")
    return "\n\n".join(parts)


def _fair_shares(sizes: list[int], budget: int) -> list[int]:
    """Largest sections give way first: small ones keep everything."""
    shares = [0] * len(sizes)
    remaining = budget
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    for n, i in enumerate(order):
        share = remaining // (len(order) - n)
        shares[i] = min(sizes[i], share)
        remaining -= shares[i]
    return shares


def render_pr_comment(
    sections: list[Section], *, commit: str | None = None, limit: int = MARKDOWN_LIMIT
) -> str:
    head = [MARKER, "## flow-reconciler", ""]
    if commit:
        head += [
            f"For commit `{short_commit(commit)}`. This comment is updated in place on every push.",
            "",
        ]
    head += ["| step | result |", "|---|---|"]
    for section in sections:
        icon, words = section.verdict
        head.append(f"| {section.title} | {icon} {words} |")
    header = "\n".join(head) + "\n"

    frames: list[tuple[str, str]] = []
    for section in sections:
        opened = (
            " open" if section.failed or (section.key == "plan" and section.exit_code == 2) else ""
        )
        frames.append(
            (
                f"\n<details{opened}>\n<summary><b>{section.title}</b></summary>\n\n",
                "\n\n</details>\n",
            )
        )
    bodies = [_body(s) for s in sections]
    fixed = len(header) + sum(len(a) + len(b) for a, b in frames)
    shares = _fair_shares([len(b) for b in bodies], max(limit - fixed - 100, 0))
    out = [header]
    for (before, after), body, share in zip(frames, bodies, shares, strict=True):
        out.append(before + _cut(body, share) + after)
    return "".join(out)
