"""`reconciler validate [PATH...]`: every finding in flows.d/, requests.d/, reconciler.yaml."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from reconciler.cli.context import AppContext
from reconciler.cli.params import count
from reconciler.errors import EXIT_FAILURE, EXIT_OK, ConfigError, ReconcilerError, UsageError
from reconciler.load.tree import FLOWS_DIR, REQUESTS_DIR, load_tree
from reconciler.reporters.common import format_option, is_terminal, resolve_format
from reconciler.reporters.findings import print_findings
from reconciler.store.base import sqlite_path
from reconciler.store.immutability import immutability_findings


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@format_option("text", "json", "github", "markdown")
@click.option("--no-cache", is_flag=True, help="Ignore and do not update the result cache.")
@click.option(
    "--jobs",
    type=count(1, 256),
    default=None,
    help="Worker processes for large trees (default: CPU count; env RECONCILER_JOBS).",
)
@click.pass_obj
def validate(
    app: AppContext,
    paths: tuple[Path, ...],
    output_format: str | None,
    no_cache: bool,
    jobs: int | None,
) -> int:
    """Validate flows.d/, requests.d/ and reconciler.yaml (or only PATHs, checked in the
    context of the whole tree). Exit 0 when valid, 1 with findings."""

    root = app.root
    if not root.is_dir():
        raise UsageError(
            f"--repo {root}: no such directory",
            hint="give the root of a config repository (the folder holding flows.d/)",
        )
    if not paths and not any((root / d).is_dir() for d in (FLOWS_DIR, REQUESTS_DIR)):
        where = "this directory" if str(root) == "." else str(root)
        raise UsageError(
            f"{where} is not a config repository: it has neither {FLOWS_DIR}/ nor {REQUESTS_DIR}/",
            hint="run `reconciler init` to create one here, or point --repo at the repository root",
        )
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    fmt = resolve_format(output_format, ("text", "json", "github", "markdown"))
    tree = load_tree(root, list(paths) or None, use_cache=not no_cache, jobs=jobs)
    checks_requests = not paths or any(_under(p, root / "requests.d") for p in paths)
    # An invalid reconciler.yaml is among the findings; it names no store to look in.
    store_url = _store_url(app) if tree.config is not None or not _has_config(root) else None
    if checks_requests and store_url is not None and _ledger_may_exist(root, store_url):
        # requests are immutable once dispatched (needs a store that already exists)
        tree.findings.extend(immutability_findings(root, store_url))
    print_findings(tree, fmt, functools.partial(_source_line, root), color=is_terminal())
    return EXIT_OK if tree.valid else EXIT_FAILURE


def _has_config(root: Path) -> bool:
    return (root / "reconciler.yaml").exists()


def _store_url(app: AppContext) -> str | None:
    try:
        return app.resolved_store_url()
    except ConfigError:
        return None


def _ledger_may_exist(root: Path, store_url: str) -> bool:
    """No SQLite store file, no ledger: skip importing the dispatcher (httpx) at all."""
    if not store_url.startswith("sqlite:"):
        return True

    try:
        path = sqlite_path(store_url, root)
    except ReconcilerError:
        return False
    return path != ":memory:" and Path(path).exists()


def _under(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
    except ValueError:
        return False
    return True


def _source_line(root: Path, rel: str, line: int) -> str | None:
    """The line a finding points at, for the caret snippet (None for unreadable text)."""
    lines = _lines(root / rel)
    return lines[line - 1] if lines is not None and 0 < line <= len(lines) else None


@functools.cache
def _lines(path: Path) -> list[str] | None:
    try:
        with path.open("rb") as handle:
            raw = handle.read(1024 * 1024)
        return raw.decode("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
