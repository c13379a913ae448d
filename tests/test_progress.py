"""Progress on a terminal says how far, how fast and how long still; in CI it is quiet."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.runs_helpers import record, write_ndjson

LINE = re.compile(r"importing \S+: ([\d,]+) records \((\d+)%\)(, [\d,]+/s)?(, \d+ (s|min) left)?")


def import_on_a_terminal(tmp_path: Path, **env: str) -> str:
    """`runs import` with its stderr on a pseudo-terminal; what the terminal showed."""
    runs = tmp_path / "runs.ndjson"
    write_ndjson(runs, [record(f"run-{i:06d}", statusId=2) for i in range(60_000)])
    leader, follower = pty.openpty()
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    store = f"sqlite:///{tmp_path / 's.db'}"
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "--store", store, "runs", "import", str(runs)],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env={**clean, "PYTHONPATH": str(REPO), "TERM": "xterm", **env},
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the process closed its end
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=300) == 0
    os.close(leader)
    return shown.decode(errors="replace")


def test_import_shows_rate_and_time_left_on_a_terminal(tmp_path: Path) -> None:
    shown = import_on_a_terminal(tmp_path)
    updates = list(LINE.finditer(shown))
    assert updates, shown[-500:]
    assert updates[-1].group(1) == "60,000" and updates[-1].group(2) == "100"
    assert any(m.group(3) for m in updates), "no rate shown"
    assert any(m.group(4) for m in updates), "no time left shown"


def test_import_progress_is_quiet_in_ci(tmp_path: Path) -> None:
    assert "importing" not in import_on_a_terminal(tmp_path, CI="true")
