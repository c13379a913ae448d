"""Who and which commit: recorded with every audit record and lock."""

from __future__ import annotations

import getpass
import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from reconciler.core.commits import DIRTY


@dataclass(frozen=True)
class Provenance:
    actor: str
    commit: str | None
    host: str
    pid: int


def actor() -> str:
    """GITHUB_ACTOR in Actions, else the OS user."""
    name = os.environ.get("GITHUB_ACTOR")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


# What the tool reads from the working tree: a change here is what "+dirty" records.
TRACKED_PATHS = ("flows.d", "requests.d", "reconciler.yaml")


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None


def commit(root: Path) -> str | None:
    """GITHUB_SHA in Actions, else `git rev-parse HEAD` of the repo (None outside Git),
    with "+dirty" when flows.d/, requests.d/ or reconciler.yaml differ from that commit
    (uncommitted or untracked changes): the audit must not claim a commit that does not
    hold what was applied or dispatched."""
    sha = os.environ.get("GITHUB_SHA")
    if not sha:
        done = _git(root, "rev-parse", "--verify", "-q", "HEAD")
        if done is None or done.returncode != 0 or not done.stdout.strip():
            return None
        sha = done.stdout.strip()
    status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", *TRACKED_PATHS)
    if status is not None and status.returncode == 0 and status.stdout.strip():
        return sha + DIRTY
    return sha


def current(root: Path) -> Provenance:
    return Provenance(actor(), commit(root), socket.gethostname(), os.getpid())
