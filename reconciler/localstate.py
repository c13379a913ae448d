"""The tool's local state folder, `.reconciler/` (embedded store, validation cache).

It lives inside the config repository, so whoever creates it also writes a `.gitignore`
of `*` into it: `git add -A` then never stages the store or the cache, and a pre-commit
hook that updates the cache does not turn into "files were modified by this hook"."""

from __future__ import annotations

from pathlib import Path

STATE_DIR = ".reconciler"
GITIGNORE = "# flow-reconciler's local state (store, validation cache): never committed\n*\n"


def make_parents(path: Path) -> None:
    """Create the folders above `path`; a `.reconciler` folder created here gets its
    `.gitignore`. An existing folder is left as it is (its owner may have chosen)."""
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        if folder.name == STATE_DIR:
            ignore = folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text(GITIGNORE, encoding="utf-8")
