"""Retry policy for dispatch: pure, no I/O, no clock of its own (callers pass `now` and a
random source), so every rule is testable on its own.

- retryable: connect errors, timeouts, resets (transport errors), 408, 425, 429, 5xx;
- exponential backoff with full jitter (sleep = uniform(0, min(cap, base * 2**(n-1))));
- `Retry-After` (delta-seconds or an HTTP date) honoured up to a cap;
- `maxAttempts` per batch;
- a circuit breaker that opens after a run of consecutive failed attempts.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

RETRYABLE_STATUSES = frozenset({408, 425, 429})


class Verdict(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"  # worth another attempt if the budget allows
    FAIL = "fail"  # permanent: other 4xx, any 3xx, anything unexpected


def classify_status(status: int) -> Verdict:
    if 200 <= status < 300:
        return Verdict.DELIVERED
    if status in RETRYABLE_STATUSES or 500 <= status < 600:
        return Verdict.RETRY
    # 1xx as a final answer, 3xx (never followed), other 4xx: resending will not help.
    return Verdict.FAIL


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header, or None when absent or unusable.
    A date in the past means "now" (0 s)."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT by definition
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """`max_attempts` counts every send, the first included."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0  # cap of the exponential backoff
    retry_after_cap: float = 120.0  # a server may not park us longer than this per attempt

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.retry_after_cap < 0:
            raise ValueError("delays must be >= 0")

    def backoff_ceiling(self, attempt: int) -> float:
        """Upper bound of the jittered sleep after failed attempt `attempt` (1-based)."""
        exponent = min(max(attempt - 1, 0), 62)  # 2**62 s is forever; avoid float overflow
        return min(self.max_delay, self.base_delay * math.ldexp(1.0, exponent))

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to sleep after failed attempt `attempt` before the next one."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_cap)
        return rng.uniform(0.0, self.backoff_ceiling(attempt))

    def should_retry(self, verdict: Verdict, attempt: int) -> bool:
        return verdict is Verdict.RETRY and attempt < self.max_attempts


@dataclass
class CircuitBreaker:
    """Opens after `threshold` consecutive failed attempts; any success closes the run.
    Once open it stays open: a dispatch run stops sending to that endpoint and reports it;
    the next `requests dispatch` starts with a closed breaker."""

    threshold: int = 10
    consecutive: int = 0
    opened: bool = False
    tripped: bool = False  # opened by a fatal error rather than by the count
    last_failure: str | None = field(default=None)

    def trip(self, reason: str) -> None:
        """Open at once: retrying cannot help (e.g. the network policy refuses the host)."""
        self.last_failure = reason
        if not self.opened:
            self.opened = self.tripped = True

    def success(self) -> None:
        if not self.opened:
            self.consecutive = 0

    def failure(self, reason: str) -> bool:
        """Record a failed attempt; True when this one opened the breaker."""
        self.last_failure = reason
        if self.opened:
            return False
        self.consecutive += 1
        if self.consecutive >= self.threshold:
            self.opened = True
            return True
        return False
