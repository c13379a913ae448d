"""Schedules: notBefore and daily windows in a named time zone, across midnight and DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.schedule import Schedule, window

BRUSSELS = ZoneInfo("Europe/Brussels")
NIGHTS = window(["Mon", "Tue", "Wed", "Thu", "Fri"], "22:00", "06:00", "Europe/Brussels")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def test_a_window_across_midnight_belongs_to_the_day_it_opens() -> None:
    schedule = Schedule(windows=(NIGHTS,))
    assert schedule.allows(local(2026, 12, 4, 23, 0))  # Friday night
    assert schedule.allows(local(2026, 12, 5, 5, 59))  # Saturday morning: Friday's window
    assert not schedule.allows(local(2026, 12, 5, 6, 0))  # closed at 06:00
    assert not schedule.allows(local(2026, 12, 5, 23, 0))  # Saturday: no window
    # Monday morning belongs to Sunday's window, which does not exist
    assert not schedule.allows(local(2026, 12, 7, 3, 0))
    assert schedule.next_allowed(local(2026, 12, 5, 12, 0)) == local(2026, 12, 7, 22, 0)
    assert schedule.closes_at(local(2026, 12, 4, 23, 0)) == local(2026, 12, 5, 6, 0)


def test_windows_keep_their_wall_clock_hours_across_daylight_saving() -> None:
    every_day = window(
        list(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")), "01:00", "04:00", "Europe/Brussels"
    )
    schedule = Schedule(windows=(every_day,))
    # 2026-03-29: clocks go from 02:00 to 03:00 (CET -> CEST); the window is 01:00-04:00 local
    assert schedule.next_allowed(local(2026, 3, 28, 12, 0)) == local(2026, 3, 29, 1, 0)
    closes = schedule.closes_at(local(2026, 3, 29, 1, 30))
    assert closes == local(2026, 3, 29, 4, 0)
    assert closes is not None
    assert closes.astimezone(UTC) == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)  # 2 h long that night
    # 2026-10-25: 03:00 -> 02:00 (CEST -> CET): that night the window lasts 4 h
    opens = schedule.next_allowed(local(2026, 10, 24, 12, 0))
    assert opens is not None
    closes = schedule.closes_at(opens)
    assert closes is not None and closes - opens == timedelta(hours=4)  # both in UTC


def test_not_before_waits_and_then_the_windows_decide() -> None:
    start = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)  # 22:00 in Brussels, a Saturday
    only_not_before = Schedule(not_before=start)
    assert only_not_before.next_allowed(start - timedelta(seconds=1)) == start
    assert only_not_before.allows(start)
    both = Schedule(not_before=start, windows=(NIGHTS,))
    # Saturday has no window: the first is Monday 22:00
    assert both.next_allowed(start - timedelta(hours=1)) == local(2026, 11, 30, 22, 0)


@pytest.mark.parametrize(
    ("days", "start", "end", "message"),
    [
        (["Mon", "Funday"], "22:00", "06:00", "unknown day 'Funday'"),
        (["Mon"], "25:00", "06:00", "hour must be in 0..23"),
        (["Mon"], "7:00", "08:00", "is not a time of day HH:MM"),
        (["Mon"], "08:00", "08:00", "is empty"),
    ],
)
def test_bad_windows_say_what_is_wrong(days: list[str], start: str, end: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        window(days, start, end, "Europe/Brussels")


@given(
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    )
)
def test_the_next_opening_is_allowed_and_nothing_before_it_is(now: datetime) -> None:
    schedule = Schedule(windows=(NIGHTS,))
    nxt = schedule.next_allowed(now)
    if nxt is None:
        assert schedule.closes_at(now) is not None
        return
    assert nxt > now and schedule.allows(nxt)
    step = (nxt - now) / 7
    assert not any(schedule.allows(now + step * k) for k in range(7))
