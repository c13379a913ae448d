"""Requests are immutable once dispatched: a request file whose name is in the store with
other content is an error (for `requests dispatch` and `validate`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.core.findings import Finding
from reconciler.errors import ReconcilerError
from reconciler.load.tree import REQUESTS_DIR, load_tree
from reconciler.store.base import Store, open_store, sqlite_path
from reconciler.store.requests import REFUSED

if TYPE_CHECKING:
    from reconciler.load.tree import Tree


def dispatched_hashes(store: Store) -> dict[str, tuple[str, str | None, str | None, str]]:
    """name -> (content_hash, first dispatch time, commit, status) of every ledger entry."""
    return {
        name: (content_hash, started_at or created_at, commit_sha, status)
        for name, content_hash, created_at, started_at, commit_sha, status in store.query(
            "SELECT name, content_hash, created_at, started_at, commit_sha, status FROM requests"
        )
    }


def changed_after_dispatch(store: Store, tree: Tree) -> list[Finding]:
    """A request file whose name is in the ledger with other content is an error: requests
    are immutable once dispatched (deleting the file is fine; the history stays)."""
    known = dispatched_hashes(store)
    findings = []
    for item in tree.requests:
        entry = known.get(item.request.name)
        if entry is None or entry[0] == item.content_hash:
            continue
        _hash, when, commit, status = entry
        verb = "refused" if status == REFUSED else "dispatched"
        line, col = _name_position(tree.root / item.path)
        findings.append(
            Finding(
                path=item.path,
                line=line,
                col=col,
                rule="request-immutable",
                message=(
                    f"request {item.request.name!r} was {verb} on {when} at commit "
                    f"{commit or 'unknown'} and its content has changed since; add a new request"
                ),
                hint="give the new request a new name; the ledger keeps the old one",
            )
        )
    return findings


def _name_position(path: Path) -> tuple[int, int]:
    """Line and column of the top-level `name:` key (1:1 if it cannot be found)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1, 1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("name:") or line.startswith("name :"):
            return number, 1
    return 1, 1


def immutability_findings(root: Path, store_url: str) -> list[Finding]:
    """For `validate`: request files whose name is in the ledger with other content. Only
    when a store already exists and answers (validate never creates one and works offline)."""
    if store_url.startswith("sqlite:"):
        try:
            path = sqlite_path(store_url, root)
        except ReconcilerError:
            return []
        if path == ":memory:" or not Path(path).exists():
            return []
    try:
        store = open_store(store_url, root=root, migrate=False)
    except ReconcilerError:
        return []
    try:
        if store.schema_version() == 0 or not store.query_one("SELECT 1 FROM requests LIMIT 1"):
            return []
        requests_dir = root / REQUESTS_DIR
        if not requests_dir.is_dir():
            return []
        return changed_after_dispatch(store, load_tree(root, [requests_dir]))
    finally:
        store.close()
