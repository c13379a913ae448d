"""The status page in a real headless Chromium: the file `status --format html` writes and
the page `reconciler serve` serves live, with its JSON, health and metrics endpoints; what
the browser built from them (every flow, request and state, the drift and failed marks, the
charts), that nothing is loaded from anywhere, that a screenshot is not blank, that an
HTML-injection flow name stays text and a sentinel secret appears nowhere."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from PIL import Image, ImageChops
from prometheus_client.parser import text_string_to_metric_families

from tests import browser
from tests.conftest import REPO
from tests.dispatch_support import Receiver
from tests.status_scenario import (
    FAILED_AGAIN,
    FAILING,
    FAST,
    INJECTED,
    INVOICES,
    LEGACY,
    ORDERS,
    REFUSED,
    REPLAY,
    SENTINEL,
    Scenario,
    build,
    reimport_replay,
    script,
)

FLOW_STATES = {ORDERS: "managed", INJECTED: "managed", INVOICES: "drift", LEGACY: "unmanaged"}
REQUEST_STATES = {REPLAY: "completed", FAILING: "failed", REFUSED: "refused"}
# Attributes through which a page could load or send anything.
LOADING_ATTRIBUTES = {
    "src",
    "href",
    "xlink:href",
    "action",
    "formaction",
    "srcset",
    "poster",
    "data",
    "background",
    "ping",
    "manifest",
    "codebase",
    "cite",
    "longdesc",
    "usemap",
}


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, ca: trustme.CA) -> Iterator[Scenario]:
    """One store for the read-only tests of this module (SQLite)."""
    tmp = tmp_path_factory.mktemp("status")
    with Receiver(ca.issue_cert("127.0.0.1"), script) as receiver:
        built = build(tmp / "repo", f"sqlite:///{tmp / 'store.db'}", ca, receiver)
        reimport_replay(built)
        yield built


def error_days(scenario: Scenario, workflow: str) -> dict[str, int]:
    """Error-group runs per UTC day of the last 14 days, from the records imported."""
    first = (datetime.now(UTC) - timedelta(days=13)).date().isoformat()
    days: Counter[str] = Counter()
    for r in scenario.records:
        day = str(r["executionTime"])[:10]
        if r["workflowName"] == workflow and r["statusId"] in (2, 5, 6) and day >= first:
            days[day] += 1
    return dict(days)


def assert_page(dom: browser.Node, scenario: Scenario) -> None:
    """What the browser built: every flow, request and state, the marks and the charts."""
    for name, state in FLOW_STATES.items():
        row = dom.one("tr", data_flow=name)
        assert row.attrs["data-state"] == state
        assert row.find_all("th")[0].text.strip() == name  # the injected name is text
    drift = dom.one("tr", data_flow=INVOICES).find_all(data_mark="drift")
    assert [n.text.strip() for n in drift] == ["⚠ drift"]
    assert dom.one("tr", data_flow=INJECTED).find_all(data_mark="failed")
    for name, state in REQUEST_STATES.items():
        row = dom.one("tr", data_request=name)
        assert row.attrs["data-request-state"] == state
        assert state in row.text
    for name in (FAILING, REFUSED):
        assert dom.one("tr", data_request=name).find_all(data_mark="failed")
    replay = " ".join(dom.one(data_replay=REPLAY).text.split())
    assert replay == f"10 completed, {len(FAILED_AGAIN)} failed again, 12 no later run yet (of 30)"
    health = {
        row.attrs["data-endpoint"].rsplit("/", 1)[1]: row.attrs["data-health"]
        for row in dom.find_all("tr")
        if "data-endpoint" in row.attrs
    }
    assert health["ops"] == "failing" and health["orders"] == "ok"
    listed = {
        (n.attrs["data-attention-kind"], n.attrs["data-subject"])
        for n in dom.find_all("li")
        if "data-attention-kind" in n.attrs
    }
    assert {
        ("request", FAILING),
        ("request", REFUSED),
        ("request", REPLAY),
        ("flow", INVOICES),
    } <= listed
    assert any(kind == "endpoint" and subject.endswith("/ops") for kind, subject in listed)
    # Charts: an SVG per flow with Error runs, a bar per day that had any.
    assert dom.find_all("svg")
    chart = dom.one("figure", data_chart_flow=ORDERS)
    bars = [
        r
        for r in chart.find_all("rect")
        if r.attrs.get("class") == "bar" and float(r.attrs["height"]) > 0
    ]
    assert sorted(int(b.text.split(": ")[1].split()[0]) for b in bars) == sorted(
        error_days(scenario, "la-orders").values()
    )
    # Nothing is loaded, nothing runs: no element that could, no attribute that would.
    tags = {n.tag for n in dom.walk()}
    assert not tags & {
        "script",
        "img",
        "iframe",
        "object",
        "embed",
        "link",
        "base",
        "form",
        "video",
        "audio",
        "source",
    }
    assert not [
        (n.tag, a)
        for n in dom.walk()
        for a in n.attrs
        if a in LOADING_ATTRIBUTES or a.startswith("on")
    ]
    styles = " ".join(n.text for n in dom.find_all("style")) + " ".join(
        n.attrs.get("style", "") for n in dom.walk()
    )
    assert "url(" not in styles and "@import" not in styles
    csp = dom.one("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert csp.startswith("default-src 'none'")


def assert_not_blank(png: Path) -> None:
    with Image.open(png) as image:
        gray = image.convert("L")
        low, high = gray.getextrema()
        inked = sum(gray.histogram()[:200]) / (gray.width * gray.height)
        r, g, b = image.convert("RGB").split()
        red = ImageChops.darker(
            ImageChops.darker(
                r.point(lambda v: 255 if v > 180 else 0), g.point(lambda v: 255 if v < 90 else 0)
            ),
            b.point(lambda v: 255 if v < 90 else 0),
        )
        reds = red.histogram()[255]
    assert high - low > 150 and inked > 0.02, (low, high, inked)
    assert reds > 500  # the Error bars and failed marks are drawn


def test_status_page_file_in_a_real_browser(scenario: Scenario, tmp_path: Path) -> None:
    page = tmp_path / "status.html"
    done = scenario.cli("status", "--format", "html", "--output", str(page))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and f"wrote {page}" in done.stderr
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "&lt;script&gt;alert(" in html and '<script>alert("' not in html
    assert SENTINEL not in html
    stdout = scenario.cli("status", "--format", "html")
    assert stdout.returncode == 0 and stdout.stdout.startswith("<!DOCTYPE html>")

    dom = browser.parse(browser.dump_dom(page.as_uri()))
    assert_page(dom, scenario)
    history = json.loads(scenario.cli("history", "--format", "json").stdout)["records"]
    assert 0 < len(history) <= 50
    assert [h.text.strip() for h in dom.find_all("h2")] == [
        "Needs attention first",
        "Flows by folder",
        "Error runs per flow, last 14 days",
        "Endpoint health (worst first)",
        "Requests",
        "Store lock",
        f"Audit log (last {len(history)} records)",
    ]
    audit_rows = dom.one("section", id="audit").find_all("tr")[1:]
    assert [" ".join(r.find_all("td")[0].text.split()) for r in audit_rows] == [
        record["at"].replace("T", " ")[:19] for record in history
    ]
    assert_not_blank(browser.screenshot(page.as_uri(), tmp_path / "page.png"))
    pdf = browser.print_pdf(page.as_uri(), tmp_path / "page.pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


# -- reconciler serve --------------------------------------------------------------------
class Served:
    def __init__(self, scenario: Scenario, *args: str) -> None:
        env = {**FAST}
        import os

        full_env = {**os.environ, "PYTHONPATH": str(REPO), **env}
        full_env.pop("CI", None)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reconciler",
                "--store",
                scenario.store_url,
                "--repo",
                str(scenario.root),
                "serve",
                "--port",
                "0",
                "--refresh",
                "7",
                *args,
            ],
            stderr=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=full_env,
        )
        assert self.proc.stderr is not None
        self.banner = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            self.banner.append(line)
            found = re.search(r"on http://([^/]+)/", line)
            if found:
                self.base = f"http://{found.group(1).replace('0.0.0.0', '127.0.0.1')}"
                return
            if not line:
                break
        self.proc.kill()
        raise AssertionError("serve did not start: " + "".join(self.banner))

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as answer:
                return answer.status, dict(answer.headers), answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode()

    def send(self, method: str, path: str = "/") -> tuple[int, str | None]:
        host, port = self.base.removeprefix("http://").rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            conn.request(method, path, body=b"{}" if method in ("POST", "PUT", "PATCH") else None)
            answer = conn.getresponse()
            answer.read()
            return answer.status, answer.getheader("Allow")
        finally:
            conn.close()

    def stop(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        return self.proc.returncode, err


def test_served_page_is_live_read_only_and_has_api_health_and_metrics(
    tmp_path: Path, ca: trustme.CA
) -> None:
    with Receiver(ca.issue_cert("127.0.0.1"), script) as receiver:
        scenario = build(tmp_path / "repo", f"sqlite:///{tmp_path / 'store.db'}", ca, receiver)
        reimport_replay(scenario)
        served = Served(scenario)
        try:
            assert "warning" not in "".join(served.banner)  # loopback: no warning
            status, headers, page = served.get("/")
            assert status == 200 and headers["Content-Type"].startswith("text/html")
            assert headers["Refresh"] == "7" and "reloads every 7 seconds" in page
            assert headers["Content-Security-Policy"].startswith("default-src 'none'")
            assert "&lt;script&gt;alert(" in page and '<script>alert("' not in page
            dom = browser.parse(browser.dump_dom(served.base + "/"))
            assert_page(dom, scenario)

            status, headers, body = served.get("/api/status")
            assert status == 200 and headers["Content-Type"].startswith("application/json")
            doc = json.loads(body)
            assert (doc["formatVersion"], doc["kind"]) == (1, "status")
            names = [f["name"] for g in doc["flows"]["folders"] for f in g["flows"]]
            assert sorted(names) == sorted(FLOW_STATES)  # the injected name, exactly
            shown = {r["name"]: r for r in doc["requests"]["shown"]}
            assert shown[REPLAY]["replay"] == {
                "chains": 30,
                "completed": 10,
                "failedAgain": 8,
                "other": 0,
                "noneYet": 12,
                "runsWithoutChain": 0,
            }
            cli_doc = json.loads(scenario.cli("status", "--format", "json").stdout)
            for key in ("attention", "flows", "endpoints", "requests"):  # the same document
                assert cli_doc[key] == doc[key], key

            assert served.get("/healthz")[:3:2] == (200, "ok\n")
            status, headers, metrics = served.get("/metrics")
            assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
            samples = {
                (s.name, tuple(sorted(s.labels.items()))): s.value
                for family in text_string_to_metric_families(metrics)
                for s in family.samples
            }
            assert samples[("reconciler_requests", (("state", "failed"),))] == 1
            assert samples[("reconciler_requests", (("state", "completed"),))] == 1
            assert samples[("reconciler_requests", (("state", "refused"),))] == 1
            assert samples[("reconciler_batches", (("state", "delivered"),))] == 3
            assert samples[("reconciler_batches", (("state", "failed"),))] == 1
            assert samples[("reconciler_flows_drifted", ())] == 1
            reachable = {
                dict(k[1])["url"].rsplit("/", 1)[1]: v
                for k, v in samples.items()
                if k[0] == "reconciler_endpoint_reachable"
            }
            assert reachable == {"ops": 0, "orders": 1}  # /ops answers HEAD, fails every POST
            days = [
                v for k, v in samples.items() if k[0] == "reconciler_endpoint_certificate_days_left"
            ]
            assert len(days) == 2 and all(d > 14 for d in days)
            today = datetime.now(UTC).date().isoformat()
            errors_today = {
                dict(k[1])["flow"]: v
                for k, v in samples.items()
                if k[0] == "reconciler_flow_error_runs_today"
            }
            assert errors_today.get(ORDERS, 0) == error_days(scenario, "la-orders").get(today, 0)

            for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
                assert served.send(method) == (405, "GET, HEAD"), method
                assert served.send(method, "/api/status")[0] == 405
            assert served.send("HEAD")[0] == 200
            assert served.get("/nope")[0] == 404
            everything = [page, body, metrics, served.get("/healthz")[2]]
            assert not [text for text in everything if SENTINEL in text]

            # Live: a request dispatched after the server started is on the next read.
            later = "2026-12-02-orders-again"
            assert later not in served.get("/")[2]
            scenario.add_request(later, ORDERS)
            assert scenario.cli("requests", "dispatch", "--only", later).returncode == 0
            dom = browser.parse(browser.dump_dom(served.base + "/"))
            assert dom.one("tr", data_request=later).attrs["data-request-state"] == "completed"
        finally:
            code, err = served.stop()
    assert code == 0 and err.rstrip().endswith("stopped"), err
    assert SENTINEL not in err


def test_serve_warns_off_loopback_and_refuses_a_bad_port(tmp_path: Path, ca: trustme.CA) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    scenario = Scenario(tmp_path, store, None)  # type: ignore[arg-type]
    served = Served(scenario, "--host", "0.0.0.0")
    try:
        assert "warning: serving on 0.0.0.0, not a loopback address" in "".join(served.banner)
        assert served.get("/healthz")[0] == 200
        page = served.get("/")[2]
        assert "Nothing needs attention." in page
    finally:
        code, _ = served.stop()
    assert code == 0
    busy = scenario.cli("serve", "--port", served.base.rsplit(":", 1)[1], "--host", "256.1.1.1")
    assert busy.returncode == 64 and "cannot listen on 256.1.1.1" in busy.stderr
