"""`make demo` end to end (the README's main command): exits 0, every step it claims ran
really ran, and no process is left behind."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = REPO / "examples" / "demo" / "runs.ndjson"
ERROR_CODES = {2, 5, 6}  # Failed, ResubmitFailed, ResumeFailed in the default table


def expected_run_ids(after: str, before: str, workflow: str = "la-orders-sap") -> set[str]:
    """The sample runs an Error-group request over [after, before) selects, computed here
    independently of the tool."""
    start, end = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in (after, before))
    ids = set()
    for line in RUNS.read_text().splitlines():
        run = json.loads(line)
        when = datetime.fromisoformat(run["executionTime"].replace("Z", "+00:00"))
        if (
            run["workflowName"] == workflow
            and run["statusId"] in ERROR_CODES
            and start <= when < end
        ):
            ids.add(run["id"])
    return ids


def test_demo_runs_end_to_end_and_leaves_no_process() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    result = subprocess.run(
        [sys.executable, str(REPO / "examples" / "demo.py")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Demo passed" in out and "Traceback" not in out + result.stderr

    summary = out.split("== Summary", 1)[1]
    rows = dict(re.findall(r"^   (\S.*?)\s{2,}(ok|SKIPPED|FAILED)", summary, re.M))
    assert rows, summary
    assert "FAILED" not in rows.values()
    # Every command exists now: every step ran and passed, none was skipped.
    assert set(rows.values()) == {"ok"}, summary
    assert len(rows) == 19
    ran = [t for t, r in rows.items() if r == "ok"]
    assert f"{len(ran)} steps ran, all ok" in out

    # Each step that ran printed its command's real output: the strongest features first.
    assert "/flows.d/Sales/ @demo/sales-integration" in out
    assert (
        "error[unknown-key]: unknown key 'mapings'" in out
        and "         = hint: did you mean 'mappings'?" in out
    )
    # The validation error points at its place: the line quoted, a caret under the key.
    assert "\n       6 | mapings:\n           ^\n" in out, out[:3000]
    assert 'resubmit.headers[x-team].value: "sales" -> "sales-emea"' in out  # the update diff
    assert 'description: "edited in SQL" -> "Webshop orders to SAP"' in out  # drift restored
    assert re.search(
        r"answered 503 \(Retry-After 1 s\) to batch \S+; resent with the same "
        r"Idempotency-Key: delivered",
        out,
    )
    # ... and the dispatch says so in its summary, not a bare "36/36 runs delivered".
    assert "     1 batch needed 1 retry: 1 x HTTP 503 (Retry-After 1 s)\n" in out
    if rows.get("dispatch") == "ok":
        received = re.search(r"runs received: (\d+) \((\d+) distinct\)", out)
        expected = expected_run_ids("2026-11-27T22:00:00Z", "2026-11-28T06:00:00Z")
        assert received, out
        assert int(received.group(1)) == int(received.group(2)) == len(expected) > 0
        assert re.search(r"signature verified: (\d+)/\1", out)
    if rows.get("check endpoints") == "ok":
        assert re.search(r"HEAD requests \(endpoint checks\): [1-9]", out)
    assert "demo-api-key-do-not-use" not in out + result.stderr
    page = re.search(r"^   Status page: (file://\S+) \(open it in a browser\)$", out, re.M)
    assert page, out[-2000:]
    html = Path(page.group(1).removeprefix("file://")).read_text(encoding="utf-8")
    assert 'data-request="2026-11-28-sap-outage"' in html and 'data-flow="Order Processing"' in html
    assert "demo-api-key-do-not-use" not in html

    pid = int(re.search(r"own process, pid (\d+)", out).group(1))  # type: ignore[union-attr]
    assert (
        not Path(f"/proc/{pid}").exists()
        or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    )
