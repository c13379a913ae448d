"""Out-of-range and nonsensical option values are usage errors (exit 64) that name the
option and say what to give instead -- never a crash (exit 70) deep inside a command."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from reconciler.errors import EXIT_FAILURE, EXIT_USAGE
from tests.conftest import run_cli
from tests.validate_helpers import FLOW

HUGE = "99999999999999999999999"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "flows.d").mkdir()
    (tmp_path / "flows.d" / "orders.yaml").write_text(FLOW)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["runs", "list", "--offset", HUGE], "--offset"),
        (["runs", "list", "--limit", "0"], "--limit"),
        (["runs", "list", "--status", HUGE], "is out of range (a statusId is between"),
        (["runs", "list", "--status", "1" * 5000], "is out of range (a statusId is between"),
        (["check", "--timeout", "nan"], "'nan' is not a finite number"),
        (["check", "--timeout", "inf"], "--timeout"),
        (["history", "--limit", HUGE], "--limit"),
        (["apply", "--lock-timeout", "nan"], "'nan' is not a finite number"),
        (["apply", "--max-deletes", HUGE], "--max-deletes"),
        (["validate", "--jobs", HUGE], "--jobs"),
    ],
)
def test_out_of_range_option_values_are_usage_errors(
    repo: Path, args: list[str], expected: str
) -> None:
    done = run_cli("--repo", str(repo), *args)
    assert done.returncode == EXIT_USAGE, (done.stdout, done.stderr)
    assert expected in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def test_runs_list_from_an_unknown_request_is_an_error(repo: Path) -> None:
    done = run_cli("--repo", str(repo), "runs", "list", "--from-request", "nope")
    assert done.returncode == EXIT_FAILURE, (done.stdout, done.stderr)
    assert "--from-request: request 'nope' has no dispatch ledger in the store" in done.stderr
    assert "hint: `reconciler requests status` lists the dispatched requests" in done.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="replacing /dev/full needs root")
def test_plan_out_refuses_to_replace_a_device(repo: Path) -> None:
    before = os.stat("/dev/full")
    done = run_cli("--repo", str(repo), "plan", "--out", "/dev/full")
    assert done.returncode == EXIT_USAGE, (done.stdout, done.stderr)
    assert "--out /dev/full is not a regular file; refusing to replace it" in done.stderr
    after = os.stat("/dev/full")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_plan_out_refuses_what_is_not_a_regular_file(repo: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    target = tmp_path / "real.json"
    target.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    for path in (fifo, link, tmp_path / "flows.d"):
        done = run_cli("--repo", str(repo), "plan", "--out", str(path))
        assert done.returncode == EXIT_USAGE, (path, done.stdout, done.stderr)
        assert "is not a regular file" in done.stderr or "is a directory" in done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and link.is_symlink()
    assert target.read_text() == "{}"
    missing = run_cli("--repo", str(repo), "plan", "--out", str(tmp_path / "no" / "plan.json"))
    assert missing.returncode == EXIT_USAGE and "does not exist" in missing.stderr
    written = run_cli("--repo", str(repo), "plan", "--out", str(tmp_path / "plan.json"))
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "plan.json").is_file()
