"""Counted words, the same in every output: `1 run`, `2 runs`, `1,000 batches`."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 run`, `2 runs`, `1,000 batches` (`many`: an irregular plural)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"
