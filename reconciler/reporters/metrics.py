"""`GET /metrics`: the status document as Prometheus gauges, written by prometheus_client
(a fresh registry per scrape: every value is read from the store for that scrape)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge, generate_latest

from reconciler.core.status_report import StatusReport

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def metrics_text(report: StatusReport) -> bytes:
    registry = CollectorRegistry()

    def gauge(name: str, doc: str, labels: tuple[str, ...] = ()) -> Gauge:
        return Gauge(name, doc, labels, registry=registry)

    requests = gauge("reconciler_requests", "Requests in the ledger, by state.", ("state",))
    for state, count in sorted(report.requests_by_status.items()):
        requests.labels(state).set(count)
    batches = gauge("reconciler_batches", "Batches in the ledger, by state.", ("state",))
    for state in ("delivered", "failed"):  # always present, so that rates start at zero
        batches.labels(state).set(0)
    for state, count in sorted(report.batches_by_status.items()):
        batches.labels(state).set(count)
    counts = report.flow_counts()
    flows = gauge("reconciler_flows", "Stored flows, by state.", ("state",))
    for state in ("managed", "drift", "unmanaged"):
        flows.labels(state).set(counts[state] - (counts["drift"] if state == "managed" else 0))
    gauge("reconciler_flows_drifted", "Managed flows changed outside Git.").set(counts["drift"])
    reachable = gauge(
        "reconciler_endpoint_reachable",
        "1 when the endpoint's last check answered and its last dispatch POST did not fail.",
        ("url",),
    )
    days_left = gauge(
        "reconciler_endpoint_certificate_days_left",
        "Days until the endpoint's TLS certificate expires (last check).",
        ("url",),
    )
    for e in report.endpoints:
        if e.reachable is not None:
            reachable.labels(e.url).set(1 if e.reachable else 0)
        if e.cert_days_left is not None:
            days_left.labels(e.url).set(e.cert_days_left)
    attention = gauge("reconciler_attention_items", "What needs attention, by tone.", ("tone",))
    for tone in ("error", "warning", "notice"):
        attention.labels(tone).set(sum(1 for a in report.attention if a.tone == tone))
    errors = gauge(
        "reconciler_flow_error_runs_today",
        "Runs in the Error group executed today (UTC), per flow that has any.",
        ("flow",),
    )
    for f in report.flows:
        if f.error_days and f.error_days[-1]:
            errors.labels(f.name).set(f.error_days[-1])
    return generate_latest(registry)
