"""Endpoint checks as data: which URLs, what came back, warnings.

Pure: no sockets. `reconciler.http.reachability` fills CheckResults, `store.checks` keeps
them, `reporters.check` renders them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

ACTIONS = ("resubmit", "resume")
EXPIRY_WARNING_DAYS = 14


class EndpointUse(NamedTuple):
    """One flow's use of a URL: `Order Processing` resubmits to it, from file:line:col."""

    flow: str
    action: str
    path: str | None = None
    line: int = 0
    col: int = 0

    def to_json(self) -> dict[str, Any]:
        if self.path:  # one literal: a thousand uses are written per check run, twice
            return {
                "flow": self.flow,
                "action": self.action,
                "path": self.path,
                "line": self.line,
                "col": self.col,
            }
        return {"flow": self.flow, "action": self.action}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EndpointUse:
        return cls(
            str(data["flow"]),
            str(data["action"]),
            data.get("path"),
            int(data.get("line", 0)),
            int(data.get("col", 0)),
        )


class Outcome(StrEnum):
    OK = "ok"
    REDIRECT = "redirect"
    REFUSED_BY_POLICY = "refused_by_policy"
    DNS_FAILURE = "dns_failure"
    CONNECTION_REFUSED = "connection_refused"
    CONNECT_FAILED = "connect_failed"
    TIMEOUT = "timeout"
    TLS_UNKNOWN_CA = "tls_unknown_ca"
    TLS_HOSTNAME_MISMATCH = "tls_hostname_mismatch"
    TLS_EXPIRED = "tls_expired"
    TLS_ERROR = "tls_error"
    PROTOCOL_ERROR = "protocol_error"
    INVALID_URL = "invalid_url"

    @property
    def reachable(self) -> bool:
        return self in (Outcome.OK, Outcome.REDIRECT)


@dataclass(frozen=True)
class CheckResult:
    url: str
    outcome: Outcome
    reason: str  # plain words: "reachable", "DNS failure: cannot resolve x", ...
    checked_at: datetime
    http_status: int | None = None
    latency_ms: float | None = None
    cert_expires_at: datetime | None = None
    address: str | None = None  # the address that was connected to
    attempts: int = 1
    warnings: tuple[str, ...] = ()
    uses: tuple[EndpointUse, ...] = field(default=())

    @property
    def reachable(self) -> bool:
        return self.outcome.reachable

    @property
    def flows(self) -> list[str]:
        return sorted({use.flow for use in self.uses})

    def with_uses(self, uses: Iterable[EndpointUse]) -> CheckResult:
        return replace(self, uses=tuple(uses))

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "reachable": self.reachable,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "httpStatus": self.http_status,
            "latencyMs": None if self.latency_ms is None else round(self.latency_ms, 1),
            "certExpiresAt": _iso(self.cert_expires_at),
            "address": self.address,
            "attempts": self.attempts,
            "warnings": list(self.warnings),
            "checkedAt": _iso(self.checked_at),
            "usedBy": [use.to_json() for use in self.uses],
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def collect_endpoints(
    flows: Iterable[tuple[str, str | None, Mapping[str, str | None]]],
    locate: Mapping[tuple[str, str], tuple[int, int]] | None = None,
) -> dict[str, list[EndpointUse]]:
    """Distinct URL -> the flows using it. `flows` yields (name, path, {action: url}).
    Ten flows sharing a URL give one entry with ten uses: one check."""
    by_url: dict[str, list[EndpointUse]] = {}
    for name, path, urls in flows:
        for action in ACTIONS:
            url = urls.get(action)
            if not url:
                continue
            line, col = (locate or {}).get((name, action), (0, 0))
            by_url.setdefault(url, []).append(EndpointUse(name, action, path, line, col))
    return by_url


def changed_urls(
    desired: Mapping[tuple[str, str], str], baseline: Mapping[tuple[str, str], str]
) -> set[str]:
    """URLs a (flow, action) newly points at: new flows, new endpoints, changed URLs."""
    return {url for key, url in desired.items() if baseline.get(key) != url}


def expiry_warning(expires_at: datetime | None, now: datetime) -> str | None:
    if expires_at is None:
        return None
    left = expires_at - now
    if left < timedelta(days=EXPIRY_WARNING_DAYS):
        days = max(left.total_seconds() / 86400, 0.0)
        return (
            f"certificate expires in {days:.1f} days ({_iso(expires_at)}); "
            f"renew it (warning under {EXPIRY_WARNING_DAYS} days)"
        )
    return None


def status_warning(status: int, location: str | None) -> str | None:
    """What an HTTP status on HEAD means for dispatch. Any response is reachable."""
    if 300 <= status < 400:
        target = f" to {location}" if location else ""
        return f"redirects{target} (HTTP {status}); dispatch does not follow redirects"
    if status in (404, 410):
        return f"HTTP {status} on HEAD: check the path (the endpoint may accept POST only)"
    if status >= 500:
        return f"HTTP {status}: the endpoint answers with a server error"
    return None


@dataclass(frozen=True)
class CheckReport:
    """One `reconciler check` run: results per distinct URL plus what was left out."""

    results: tuple[CheckResult, ...]
    scope: str = "all"  # "all" | "changed" (against the store) | "changed since REF"
    unchanged: int = 0  # distinct URLs skipped by --changed-only
    notes: tuple[str, ...] = ()
    duration_s: float = 0.0  # wall time of the checks themselves

    @property
    def unreachable(self) -> list[CheckResult]:
        return [r for r in self.results if not r.reachable]

    @property
    def warned(self) -> list[CheckResult]:
        return [r for r in self.results if r.reachable and r.warnings]

    @property
    def ok(self) -> bool:
        return not self.unreachable

    def summary(self) -> dict[str, int]:
        return {
            "urls": len(self.results),
            "reachable": len(self.results) - len(self.unreachable),
            "unreachable": len(self.unreachable),
            "warnings": len(self.warned),
            "flows": len({u.flow for r in self.results for u in r.uses}),
            "unchanged": self.unchanged,
        }
