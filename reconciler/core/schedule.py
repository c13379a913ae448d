"""When a request may be dispatched: `schedule.notBefore` and daily windows in a named time
zone (pure: the caller passes `now`).

A window is local wall-clock time on the days it names: `{days: [Mon..Fri], from: "22:00",
to: "06:00", timeZone: Europe/Brussels}` opens at 22:00 on each of those days and closes at
06:00 the next morning (a window whose `to` is not after its `from` runs across midnight
and belongs to the day it opens). Local times are turned into instants with zoneinfo, so a
window keeps its wall-clock hours across daylight-saving changes; a wall time that does not
exist that day (the hour skipped in spring) is read with the offset before the jump.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# How far ahead to look for the next opening: a week covers every set of days.
_LOOKAHEAD_DAYS = 8


def parse_clock(text: str) -> time:
    """ "22:00" -> 22:00 (ValueError for anything else: the model reports it)."""
    hours, sep, minutes = text.partition(":")
    if not sep or len(hours) != 2 or len(minutes) != 2:
        raise ValueError(f"{text!r} is not a time of day HH:MM")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class Window:
    days: frozenset[int]  # 0 = Monday
    start: time
    end: time
    zone: ZoneInfo

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def _instant(self, day: date, clock: time) -> datetime:
        # In UTC: Python compares and subtracts two datetimes of one zone by wall clock,
        # which is wrong across a DST change. A wall time skipped in spring is read with the
        # offset before the jump (02:30 becomes 03:30 summer time).
        return datetime.combine(day, clock, self.zone).astimezone(UTC)

    def opening(self, day: date) -> tuple[datetime, datetime] | None:
        """The window that opens on `day` (local), as instants, if the window runs that day."""
        if day.weekday() not in self.days:
            return None
        end_day = day + timedelta(days=1) if self.crosses_midnight else day
        return self._instant(day, self.start), self._instant(end_day, self.end)


@dataclass(frozen=True)
class Schedule:
    not_before: datetime | None = None
    windows: tuple[Window, ...] = ()

    def allows(self, now: datetime) -> bool:
        return self.next_allowed(now) is None

    def next_allowed(self, now: datetime) -> datetime | None:
        """None when a batch may start at `now`; else the first instant one may (UTC)."""
        now = now.astimezone(UTC)
        earliest = now if self.not_before is None else max(now, self.not_before.astimezone(UTC))
        if not self.windows:
            return None if earliest == now else earliest
        start = _next_opening(self.windows, earliest)
        if start is None:
            return None if earliest == now else earliest  # inside a window at `earliest`
        return start

    def closes_at(self, now: datetime) -> datetime | None:
        """When the window `now` is in closes (None outside windows, or without any)."""
        now = now.astimezone(UTC)
        ends = []
        for each in self.windows:
            for opened in _openings_around(each, now):
                if opened is not None and opened[0] <= now < opened[1]:
                    ends.append(opened[1])
        return max(ends) if ends else None


def _openings_around(window: Window, moment: datetime) -> list[tuple[datetime, datetime] | None]:
    """The window's openings on the day before `moment` and on its day (local days)."""
    local_day = moment.astimezone(window.zone).date()
    return [window.opening(local_day + timedelta(days=offset)) for offset in (-1, 0)]


def _next_opening(windows: Sequence[Window], moment: datetime) -> datetime | None:
    """None when `moment` is inside a window; else the first opening after it."""
    for window in windows:
        for opened in _openings_around(window, moment):
            if opened is not None and opened[0] <= moment < opened[1]:
                return None
    starts = []
    for window in windows:
        local_day = moment.astimezone(window.zone).date()
        for offset in range(_LOOKAHEAD_DAYS):
            opened = window.opening(local_day + timedelta(days=offset))
            if opened is not None and opened[0] > moment:
                starts.append(opened[0])
                break
    return min(starts) if starts else None


def window(days: Sequence[str], start: str, end: str, zone: str) -> Window:
    """A Window from the request file's words (ValueError naming what is wrong)."""
    unknown = [d for d in days if d not in DAYS]
    if unknown:
        raise ValueError(f"unknown day {unknown[0]!r}: use {', '.join(DAYS)}")
    opens, closes = parse_clock(start), parse_clock(end)
    if opens == closes:
        raise ValueError(f"the window {start}-{end} is empty: 'to' must differ from 'from'")
    return Window(frozenset(DAYS.index(d) for d in days), opens, closes, ZoneInfo(zone))
