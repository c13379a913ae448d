"""The replay controls of `requests dispatch`, request by request: the rate limit each
flow's POSTs keep to, whether a request may send now (cancelled, suspended, waiting for
its schedule, awaiting an owner's approval), and the notifications at its end.

The dispatch loop makes small calls into this module: `with_rate_limits` on the resolved
sends, `before_sending` once per request before anything is sent, `halted` before each
claim, `after_sending` when its senders stop, `notify_outcome` at the end. The store-level
state changes are store/controls.py's; the rules are core/controls.py's and
core/approval.py's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from reconciler.core.controls import flow_rate_limit
from reconciler.core.dispatch import FlowSend
from reconciler.core.ratelimit import RateLimit
from reconciler.services.pacing import Pacer
from reconciler.store.base import Store

if TYPE_CHECKING:
    from reconciler.http.exchange import OnTheWire
    from reconciler.models import Flow, Request

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


# -- rate limits ------------------------------------------------------------------------
def with_rate_limits(
    sends: Sequence[FlowSend], flows: Sequence[Flow], request: Request
) -> list[FlowSend]:
    """Each flow's send with the stricter of the flow's and the request's limit."""
    by_name = {flow.name: flow for flow in flows}
    return [
        replace(send, rate_limit=flow_rate_limit(by_name[send.flow], request)) for send in sends
    ]


class Pacers:
    """The pacers of one dispatch process: one per flow and limit, each taking its slots
    from the flow's shared bucket in the store (services/pacing.py) on its own connection.
    `on_the_wire(send)` is what the flow's BatchPoster awaits before every POST attempt."""

    def __init__(self, connect: Callable[[], Store]) -> None:
        self._connect = connect
        self._pacers: dict[tuple[str, RateLimit], Pacer] = {}

    def on_the_wire(self, send: FlowSend) -> OnTheWire | None:
        if send.rate_limit is None:
            return None
        key = (send.flow, send.rate_limit)
        if key not in self._pacers:
            self._pacers[key] = Pacer(self._connect, send.flow, send.rate_limit)
        return self._pacers[key].wait

    def close(self) -> None:
        for pacer in self._pacers.values():
            pacer.close()
        self._pacers.clear()


def parse_now(text: str | None, started: float, monotonic: Callable[[], float]) -> Clock:
    """The dispatch clock. `text` (RECONCILER_NOW, read by the CLI): an ISO 8601 instant
    with a zone at which the clock starts, then runs on in real time -- so a test can put a
    dispatch just before a window closes. Unset: the system clock."""
    if not text:
        return system_clock
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        raise _bad_now(text) from None
    if start.tzinfo is None:
        raise _bad_now(text)

    def clock() -> datetime:
        from datetime import timedelta

        return (start + timedelta(seconds=monotonic() - started)).astimezone(UTC)

    return clock


def _bad_now(text: str) -> Exception:
    from reconciler.errors import ConfigError

    return ConfigError(
        f"RECONCILER_NOW={text!r} is not an instant with a zone",
        hint="e.g. RECONCILER_NOW=2026-11-28T21:59:58+01:00, or unset it",
    )
