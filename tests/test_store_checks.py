"""Endpoint check results in the store, both backends: every check kept, latest per URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reconciler.core.endpoints import CheckResult, EndpointUse, Outcome
from reconciler.store.base import open_store
from reconciler.store.checks import latest_checks, record_checks


def test_latest_check_per_url_round_trips(store_url: str) -> None:
    t0 = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    use = EndpointUse("Orders", "resubmit", "flows.d/orders.yaml", 7, 8)
    first = CheckResult(
        "https://a.example/r", Outcome.CONNECTION_REFUSED, "connection refused", t0, attempts=2
    )
    later = CheckResult(
        "https://a.example/r",
        Outcome.REDIRECT,
        "reachable (HTTP 301)",
        t0 + timedelta(minutes=5),
        http_status=301,
        latency_ms=12.5,
        cert_expires_at=t0 + timedelta(days=5),
        address="93.184.215.14",
        warnings=("redirects to /x (HTTP 301); dispatch does not follow redirects",),
        uses=(use,),
    )
    other = CheckResult("https://b.example/r", Outcome.DNS_FAILURE, "DNS failure", t0)
    store = open_store(store_url)
    try:
        record_checks(store, [first, other])
        record_checks(store, [later])
        record_checks(store, [])
        latest = latest_checks(store)
        assert list(latest) == ["https://a.example/r", "https://b.example/r"]
        assert latest["https://a.example/r"] == later
        assert latest["https://b.example/r"] == other
        assert list(latest_checks(store, ["https://b.example/r"])) == ["https://b.example/r"]
        count = store.query_one("SELECT COUNT(*) FROM endpoint_checks")
        assert count is not None and count[0] == 3
    finally:
        store.close()
