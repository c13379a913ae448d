"""A throw-away PostgreSQL cluster (initdb + pg_ctl in a temp dir, as the `postgres` user
when root). Used by the test fixtures and by the bench scripts."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN_ROOT = Path("/usr/lib/postgresql")


def pg_bin() -> Path | None:
    if not PG_BIN_ROOT.exists():
        return None
    versions = sorted(
        (p for p in PG_BIN_ROOT.iterdir() if (p / "bin" / "initdb").exists()),
        key=lambda p: int(p.name) if p.name.isdigit() else 0,
    )
    return versions[-1] / "bin" if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_pg_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextmanager
def throwaway_postgres(bin_dir: Path, *, fsync: bool = False) -> Iterator[str]:
    """Start a cluster; yields the admin DSN; stops and removes it on exit."""
    tmp = Path(tempfile.mkdtemp(prefix="reconciler-pg-"))
    data = tmp / "data"
    sock = tmp / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
    try:
        subprocess.run(
            _as_pg_user([str(bin_dir / "initdb"), "-D", str(data), "-U", user, "-A", "trust"]),
            check=True,
            capture_output=True,
        )
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} "
            f"-c fsync={'on' if fsync else 'off'} -c max_connections=200"
        )
        pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", opts, "-w", "-t", "60"]
        pg_ctl += ["-l", str(tmp / "log"), "start"]
        started = subprocess.run(_as_pg_user(pg_ctl), capture_output=True, text=True)
        if started.returncode != 0:
            log = (tmp / "log").read_text() if (tmp / "log").exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log}")
        try:
            yield f"postgresql://{user}@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                _as_pg_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
