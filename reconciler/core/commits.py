"""Commits as the audit records them: a SHA, with "+dirty" when the working tree differed."""

from __future__ import annotations

DIRTY = "+dirty"


def short_commit(sha: str) -> str:
    """A commit as people read it: 12 hex digits, with the dirty mark kept."""
    digits, plus, mark = sha.partition("+")
    return digits[:12] + plus + mark
