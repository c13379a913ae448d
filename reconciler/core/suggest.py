"""Spelling hints ("did you mean ...?") for names that are not known: flows, keys, statuses."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A "did you mean" hint: close spellings, and equal ignoring case."""
    options = list(choices)
    for option in options:
        if option.lower() == word.lower() and option != word:
            return f"did you mean '{option}'?"

    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(
            word.lower(), [o.lower() for o in options], n=1, cutoff=0.6
        )
        close = [o for o in options if close and o.lower() == close[0]]
    return f"did you mean '{close[0]}'?" if close else None
