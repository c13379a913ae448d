"""Who and which commit: recorded with every audit record and lock."""

from __future__ import annotations

import getpass
import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path


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


def commit(root: Path) -> str | None:
    """GITHUB_SHA in Actions, else `git rev-parse HEAD` of the repo (None outside Git)."""
    sha = os.environ.get("GITHUB_SHA")
    if sha:
        return sha
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    out = done.stdout.strip()
    return out if done.returncode == 0 and out else None


def current(root: Path) -> Provenance:
    return Provenance(actor(), commit(root), socket.gethostname(), os.getpid())
