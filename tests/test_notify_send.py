"""Notifications sent to local HTTPS receivers: each format, retries, an unreachable hook,
a hook the network policy refuses -- none raises, and the URL appears in no outcome."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from reconciler.core.netpolicy import NetPolicy
from reconciler.core.notify import Event
from reconciler.http.notify import notify
from reconciler.http.settings import NetworkSettings
from reconciler.models.config import Notification
from tests.https_servers import Route, serving

SENTINEL = "SENTINEL-hook-9d2c71"
EVENT = Event(
    "completed_with_failures",
    "request 2026-11-28-sap-outage",
    {"delivered": 1900, "failed": 100},
    "HTTP 503 on batch 7",
    "https://github.com/acme/flows/actions/runs/42",
)


def entry(env: str, fmt: str, on: list[str] | None = None) -> Notification:
    return Notification.model_validate(
        {"urlFrom": {"env": env}, "on": on or ["completed_with_failures"], "format": fmt}
    )


@pytest.fixture
def network(ca_pem: Path) -> NetworkSettings:
    return NetworkSettings(NetPolicy.parse(["127.0.0.1"]), ca_pem)


def test_each_format_reaches_its_hook_and_the_url_is_never_told(
    ca: Any, network: NetworkSettings
) -> None:
    cert = ca.issue_cert("127.0.0.1")
    with serving(cert) as slack, serving(cert) as teams, serving(cert) as plain:
        environ = {
            "SLACK_URL": slack.url(f"/services/{SENTINEL}"),
            "TEAMS_URL": teams.url(f"/workflows/{SENTINEL}"),
            "JSON_URL": plain.url(f"/events/{SENTINEL}"),
            "DRIFT_URL": plain.url(f"/drift/{SENTINEL}"),
        }
        entries = [
            entry("SLACK_URL", "slack"),
            entry("TEAMS_URL", "teams"),
            entry("JSON_URL", "json"),
            entry("DRIFT_URL", "json", on=["drift"]),  # not this event
        ]
        outcomes = notify(entries, EVENT, environ, network)
        got = {name: [json.loads(r.body) for r in server.requests]
               for name, server in (("slack", slack), ("teams", teams), ("json", plain))}  # fmt: skip
    assert [o.sent for o in outcomes] == [True, True, True]
    assert [o.target for o in outcomes] == [
        "notify[0] (env SLACK_URL)",
        "notify[1] (env TEAMS_URL)",
        "notify[2] (env JSON_URL)",
    ]
    assert got["slack"] == [
        {
            "text": "flow-reconciler: request 2026-11-28-sap-outage completed with failures\n"
            "1,900 delivered, 100 failed\nHTTP 503 on batch 7\n"
            "https://github.com/acme/flows/actions/runs/42"
        }
    ]
    card = got["teams"][0]["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"].endswith("completed with failures")
    assert got["json"] == [EVENT.to_json()]  # only the json hook for this event, not drift
    assert all(SENTINEL not in o.describe() for o in outcomes)


def test_a_failing_hook_is_retried_a_few_times_then_reported(
    ca: Any, network: NetworkSettings
) -> None:
    cert = ca.issue_cert("127.0.0.1")
    flaky = [Route(status=503), Route(status=502)]
    with (
        serving(cert, script=flaky) as recovering,
        serving(cert, default=Route(status=404, body=f"no hook {SENTINEL}".encode())) as gone,
    ):
        environ = {"A": recovering.url(f"/{SENTINEL}"), "B": gone.url(f"/{SENTINEL}")}
        outcomes = notify([entry("A", "json"), entry("B", "slack")], EVENT, environ, network)
        tries = (len(recovering.requests), len(gone.requests))
    assert tries == (3, 1)  # 503, 502, 200; a 404 is not worth another attempt
    assert outcomes[0].sent and outcomes[0].attempts == 3
    assert not outcomes[1].sent and outcomes[1].detail.startswith("HTTP 404 Not Found")
    assert SENTINEL not in outcomes[1].describe()  # an echo of the URL is masked too


def test_unreachable_refused_and_unset_hooks_never_raise(network: NetworkSettings) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environ = {"DOWN": f"https://127.0.0.1:{port}/{SENTINEL}", "EMPTY": ""}
    strict = NetworkSettings(NetPolicy.parse([]), network.ca_bundle)  # loopback not allowed
    started = time.monotonic()
    down = notify([entry("DOWN", "slack"), entry("EMPTY", "json"), entry("UNSET", "json")],
                  EVENT, environ, network)  # fmt: skip
    refused = notify([entry("DOWN", "teams")], EVENT, environ, strict)
    assert time.monotonic() - started < 10  # bounded: a dead hook does not hold things up
    assert [o.sent for o in down + refused] == [False, False, False, False]
    assert down[0].attempts == 3 and "ConnectError" in down[0].detail
    assert down[1].detail == "EMPTY is empty" and down[2].detail == "UNSET is not set"
    assert refused[0].attempts == 1 and "network policy" in refused[0].detail
    assert all(SENTINEL not in o.describe() for o in down + refused)
