"""Rate-limit arithmetic: the stricter limit wins, slots are evenly spaced, never banked."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.ratelimit import RateLimit, expected_seconds, stricter, take_slot


def test_the_stricter_limit_wins() -> None:
    flow = RateLimit(600, "minute")  # 10/s
    request = RateLimit(5, "second")
    assert stricter(flow, request) == request
    assert stricter(flow, None) == flow
    assert stricter(None, None) is None
    assert RateLimit(1, "hour").interval == 3600.0


def test_the_preview_says_how_long_a_limited_dispatch_takes() -> None:
    assert round(expected_seconds(600, RateLimit(10, "second")) or 0, 6) == 59.9
    assert expected_seconds(600, None) is None


@given(
    st.integers(min_value=1, max_value=50),
    st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=200),
)
def test_no_window_of_one_period_holds_more_than_the_limit_plus_one(
    requests: int, waits: list[float]
) -> None:
    limit = RateLimit(requests, "second")
    now, next_free, starts = 0.0, None, []
    for wait in waits:  # senders asking at arbitrary moments
        now += wait / 10
        start, next_free = take_slot(next_free, now, limit.interval)
        assert start >= now
        starts.append(start)
        now = start
    for i, first in enumerate(starts):
        in_window = [s for s in starts[i:] if s <= first + 1.0 + 1e-9]
        assert len(in_window) <= requests + 1


def test_a_sender_that_keeps_up_reaches_the_limit() -> None:
    limit = RateLimit(20, "second")
    next_free, now, starts = None, 0.0, []
    for _ in range(201):
        start, next_free = take_slot(next_free, now, limit.interval)
        starts.append(start)
        now = start  # the endpoint answers at once
    assert abs((starts[-1] - starts[0]) - 10.0) < 1e-9  # 200 intervals of 50 ms
