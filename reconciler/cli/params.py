"""Option types shared by the commands: numbers bounded to what the tool can use, so that an
out-of-range value is a usage error naming the option, never a crash deep inside."""

from __future__ import annotations

import math
from typing import Any

import click

# The largest count or offset a store query takes (a 64-bit signed integer in both stores).
MAX_COUNT = 2**63 - 1


class FiniteFloatRange(click.FloatRange):
    """A FloatRange that also refuses nan and infinity (which compare false with any bound,
    so a plain FloatRange lets them through)."""

    name = "finite float range"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


def count(minimum: int = 0, maximum: int = MAX_COUNT) -> click.IntRange:
    """An integer option a store query or a loop takes (limits, offsets, budgets)."""
    return click.IntRange(minimum, maximum)
