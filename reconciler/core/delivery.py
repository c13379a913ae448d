"""What a dispatch works with, free of any HTTP or database library: the settings that
are not per flow, one flow's resolved send parameters, and a batch's result. (The
sending itself is reconciler/services/sender.py, imported only once there is a send.)"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from reconciler import __version__
from reconciler.core.ratelimit import RateLimit
from reconciler.errors import ConfigError

USER_AGENT = f"flow-reconciler/{__version__}"


@dataclass(frozen=True)
class DispatchSettings:
    """Knobs that are not per flow. Tests shorten the delays through the environment."""

    lease_seconds: float = 120.0
    base_delay: float = 0.5
    max_delay: float = 30.0
    retry_after_cap: float = 120.0
    breaker_threshold: int = 10

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> DispatchSettings:
        """The knobs from an environment (the CLI passes the process's)."""
        defaults = cls()

        def number(name: str, default: float) -> float:
            text = env.get(name)
            if not text:
                return default
            try:
                value = float(text)
            except ValueError:
                raise ConfigError(f"{name}={text!r} is not a number") from None
            if not math.isfinite(value) or value < 0:
                raise ConfigError(f"{name}={text!r}: expected a finite number >= 0")
            return value

        return cls(
            lease_seconds=max(number("RECONCILER_DISPATCH_LEASE", defaults.lease_seconds), 1.0),
            base_delay=number("RECONCILER_DISPATCH_BASE_DELAY", defaults.base_delay),
            max_delay=number("RECONCILER_DISPATCH_MAX_DELAY", defaults.max_delay),
            retry_after_cap=number("RECONCILER_DISPATCH_RETRY_AFTER_CAP", defaults.retry_after_cap),
            breaker_threshold=max(
                int(number("RECONCILER_DISPATCH_BREAKER", defaults.breaker_threshold)), 1
            ),
        )


@dataclass(frozen=True)
class FlowSend:
    """Everything needed to send one flow's batches; header values already resolved."""

    flow: str
    url: str
    headers: dict[str, str]
    signing_key: bytes | None
    concurrency: int
    timeout: float
    max_attempts: int
    rate_limit: RateLimit | None = None  # the stricter of the flow's and the request's


@dataclass(frozen=True)
class BatchResult:
    flow: str
    seq: int
    status: str  # delivered | failed | released
    attempts: int
    runs: int
    http_status: int | None
    reason: str | None


@dataclass(frozen=True)
class Retried:
    """A failed attempt that was tried again (what an operator asks after a slow night:
    which batches needed retries, and why)."""

    flow: str
    seq: int
    http_status: int | None
    retry_after: float | None  # the server's Retry-After, seconds (None: none given)
    reason: str

    @property
    def cause(self) -> str:
        return f"HTTP {self.http_status}" if self.http_status else self.reason


@dataclass(frozen=True)
class RetryCause:
    cause: str
    attempts: int  # failed attempts with this cause that were retried
    retry_after: tuple[float, ...]  # the distinct Retry-After values the server gave


def retry_causes(retries: list[Retried]) -> list[RetryCause]:
    """The retried attempts grouped by cause, the most frequent first."""
    counts: dict[str, int] = {}
    waits: dict[str, set[float]] = {}
    for r in retries:
        counts[r.cause] = counts.get(r.cause, 0) + 1
        if r.retry_after is not None:
            waits.setdefault(r.cause, set()).add(r.retry_after)
    return [
        RetryCause(cause, n, tuple(sorted(waits.get(cause, ()))))
        for cause, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
