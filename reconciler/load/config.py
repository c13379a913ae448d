"""reconciler.yaml: optional; when present it must be valid."""

from __future__ import annotations

from pathlib import Path

from reconciler.errors import ConfigError
from reconciler.load.tree import CONFIG_FILE, validate_files
from reconciler.models import Config


def load_config(root: Path) -> Config | None:
    """The repository's Config model, or None without a reconciler.yaml. Through the result
    cache: an unchanged file is read from it, not validated again."""
    path = root / CONFIG_FILE
    if not path.exists():
        return None
    tree = validate_files(root, [path], [path], use_cache=True, jobs=1)
    if tree.config is None or tree.findings:
        first = tree.findings[0] if tree.findings else None
        where = f" at {first.location}: {first.message}" if first else ""
        raise ConfigError(
            f"{CONFIG_FILE} is invalid{where}",
            hint="run `reconciler validate reconciler.yaml` to see every finding",
        )
    return tree.config
