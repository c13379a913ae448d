"""A request's replay controls, read from its file (pure): the rate limit each flow's sends
keep to, the schedule, and whether dispatch may start a batch now.

`gate` is asked before every batch a dispatch would start: cancelled and suspended come
first (an operator's word stops at once), then the schedule (outside it the request is
waiting, with the next instant it may go on)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from reconciler.core.ratelimit import RateLimit, expected_seconds, stricter
from reconciler.core.schedule import Schedule, window

if TYPE_CHECKING:
    from reconciler.models import Flow, Request
    from reconciler.models.replay import RateLimit as RateLimitModel
    from reconciler.models.replay import Schedule as ScheduleModel

PER_SHORT = {"second": "s", "minute": "min", "hour": "h"}
GateState = Literal["go", "waiting", "suspended", "cancelled"]


def limit_of(model: RateLimitModel | None) -> RateLimit | None:
    return None if model is None else RateLimit(model.requests, model.per)


def flow_rate_limit(flow: Flow, request: Request) -> RateLimit | None:
    """The stricter of the flow's `dispatch.rateLimit` and the request's `rateLimit`."""
    return stricter(limit_of(flow.dispatch.rateLimit), limit_of(request.rateLimit))


def describe_rate(limit: RateLimit) -> str:
    """10/s, 600/min, 100/h."""
    return f"{limit.requests:,}/{PER_SHORT[limit.per]}"


def describe_seconds(seconds: float) -> str:
    if seconds < 1:  # one batch, or a few under a fast limit: "~0 s" read as a bug
        return "under 1 s"
    if seconds < 120:
        return f"~{math.ceil(seconds)} s"
    if seconds < 2 * 3600:
        return f"~{round(seconds / 60)} min"
    return f"~{seconds / 3600:.1f} h"


def describe_duration(batches: int, limit: RateLimit | None) -> str | None:
    """ "600 batches at 10/s: ~60 s" (None without a limit or batches)."""
    seconds = expected_seconds(batches, limit)
    if limit is None or seconds is None or batches <= 0:
        return None
    noun = "batch" if batches == 1 else "batches"
    return f"{batches:,} {noun} at {describe_rate(limit)}: {describe_seconds(seconds)}"


def schedule_of(model: ScheduleModel | None) -> Schedule | None:
    if model is None:
        return None
    return Schedule(
        model.notBefore,
        tuple(window(list(w.days), w.start, w.end, w.timeZone) for w in model.windows),
    )


def describe_schedule(model: ScheduleModel | None) -> str | None:
    """ "not before 2026-11-28T22:00:00+01:00; Mon-Fri 22:00-06:00 Europe/Brussels"."""
    if model is None:
        return None
    parts = []
    if model.notBefore is not None:
        parts.append(f"not before {model.notBefore.isoformat()}")
    for w in model.windows:
        parts.append(f"{','.join(w.days)} {w.start}-{w.end} {w.timeZone}")
    return "; ".join(parts) or None


@dataclass(frozen=True)
class Gate:
    state: GateState
    next_allowed: datetime | None = None  # when waiting: the first instant a batch may start
    reason: str = ""

    @property
    def go(self) -> bool:
        return self.state == "go"


def gate(request: Request, now: datetime, *, cancelled_before: bool = False) -> Gate:
    """May a batch of `request` start at `now`? `cancelled_before`: the ledger already
    recorded a cancel (one way: setting `cancel: false` again does not undo it)."""
    if request.cancel or cancelled_before:
        return Gate("cancelled", reason="cancel: true in the request file")
    if request.suspend:
        return Gate("suspended", reason="suspend: true in the request file")
    schedule = schedule_of(request.schedule)
    if schedule is not None:
        when = schedule.next_allowed(now)
        if when is not None:
            return Gate("waiting", when, f"outside its schedule; next allowed {when.isoformat()}")
    return Gate("go")


def needs_approval(selected_runs: int, min_runs: int | None) -> bool:
    return min_runs is not None and selected_runs >= min_runs
