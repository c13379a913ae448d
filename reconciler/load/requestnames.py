"""The names of the request files under requests.d/, read without validating the tree:
`status` and `serve` list the merged requests the ledger does not hold yet (one that
selected no runs stays out of it until a runs import brings some), and reading only each
file's `name:` keeps that cheap on a page served live."""

from __future__ import annotations

import os
import re
from pathlib import Path

from reconciler.load.limits import MAX_BYTES
from reconciler.load.tree import REQUESTS_DIR, YAML_SUFFIXES
from reconciler.load.yamlsafe import load_text
from reconciler.localstate import STATE_DIR
from reconciler.models.request import REQUEST_NAME


def request_files(root: Path) -> list[tuple[str, str]]:
    """(name, path relative to `root`) of each request file whose `name:` reads, by path.
    A file that does not load or has no valid name is left out: `validate` reports it."""
    found = []
    base = root / REQUESTS_DIR
    for directory, subdirs, names in os.walk(base):
        subdirs[:] = sorted(d for d in subdirs if d != STATE_DIR)
        for file_name in sorted(names):
            if not file_name.endswith(YAML_SUFFIXES):
                continue
            path = Path(directory) / file_name
            try:
                if path.stat().st_size > MAX_BYTES:
                    continue
                raw = path.read_bytes()
            except OSError:
                continue
            data = load_text(raw).data
            name = data.get("name") if isinstance(data, dict) else None
            if isinstance(name, str) and len(name) <= 200 and re.fullmatch(REQUEST_NAME, name):
                found.append((name, path.relative_to(root).as_posix()))
    return found
