"""Rate limits of a dispatch (pure): `{requests: N, per: second|minute|hour}` on a flow and on
a request, the stricter winning, and the slot arithmetic every sender shares.

Sends are spaced evenly, `per / N` apart: any window of one period then holds at most N + 1
sends (the one at each edge), and a sender that keeps up reaches the full rate. The spacing
is kept as one instant -- when the next send may start -- which several processes can share
through the store (each takes a slot with one atomic update; see `take_slot`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Period = Literal["second", "minute", "hour"]
PERIOD_SECONDS: dict[str, float] = {"second": 1.0, "minute": 60.0, "hour": 3600.0}


@dataclass(frozen=True)
class RateLimit:
    requests: int
    per: Period

    @property
    def interval(self) -> float:
        """Seconds between two sends."""
        return PERIOD_SECONDS[self.per] / self.requests

    def describe(self) -> str:
        return f"{self.requests}/{self.per}"


def stricter(*limits: RateLimit | None) -> RateLimit | None:
    """The limit allowing the fewest sends per second (None: no limit at all)."""
    given = [limit for limit in limits if limit is not None]
    return max(given, key=lambda limit: limit.interval) if given else None


def take_slot(next_free: float | None, now: float, interval: float) -> tuple[float, float]:
    """(when this send may start, the new next free instant). Slots are never banked: a
    sender idle for a while does not earn a burst."""
    start = now if next_free is None else max(next_free, now)
    return start, start + interval


def expected_seconds(sends: int, limit: RateLimit | None) -> float | None:
    """How long `sends` POSTs take at the limit (at least): for the preview."""
    if limit is None or sends <= 1:
        return None if limit is None else 0.0
    return (sends - 1) * limit.interval
