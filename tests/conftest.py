"""Shared fixtures: real SQLite files, a real throw-away PostgreSQL, the CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.pgserver import pg_bin, throwaway_postgres

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server DSN (admin database). In CI a server that cannot start fails."""
    external = os.environ.get("RECONCILER_TEST_PG")
    if external:
        yield external
        return
    bin_dir = pg_bin()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries not found (CI must install `postgresql`)")
        pytest.skip("PostgreSQL not installed; set RECONCILER_TEST_PG or install postgresql")
    with throwaway_postgres(bin_dir) as dsn:
        yield dsn


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty database on the test server for one test."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = pg_server.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Runs a test on both backends."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("pg_url"))


def run_cli(
    *args: str,
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 120,
    user: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess (`python -m reconciler`); `user`: as that uid (and group,
    no others), for tests of what another user may not write (root writes anything)."""
    # Tests say themselves when a command runs in automation (CI, GITHUB_ACTIONS).
    full_env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    full_env["PYTHONPATH"] = str(REPO) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.setdefault("NO_COLOR", "1")
    # `apply` checks new URLs over the network by default; tests reach only 127.0.0.1,
    # so the ones that want the check say so (RECONCILER_ENDPOINT_CHECK=1).
    full_env.setdefault("RECONCILER_ENDPOINT_CHECK", "0")
    if env:
        full_env.update(env)
    as_user = [] if user is None else ["setpriv", f"--reuid={user}", f"--regid={user}"]
    return subprocess.run(
        [
            *as_user,
            *(["--clear-groups"] if as_user else []),
            sys.executable,
            "-m",
            "reconciler",
            *args,
        ],
        cwd=cwd,
        env=full_env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def cli() -> object:
    return run_cli


def wait_for(predicate: object, timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return True
        time.sleep(interval)
    return False


@pytest.fixture(scope="module")
def ca() -> object:
    """A trustme CA for the real HTTPS servers in tests/https_servers.py."""
    import trustme

    return trustme.CA()


@pytest.fixture(scope="module")
def ca_pem(ca: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CA above as a PEM file (what --ca-bundle / network.caBundle take)."""
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path
