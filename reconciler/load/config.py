"""reconciler.yaml: optional; when present it must be valid."""

from __future__ import annotations

from pathlib import Path

from reconciler.core.repoconfig import RepoConfig
from reconciler.errors import ConfigError

CONFIG_FILE = "reconciler.yaml"


def load_config(root: Path) -> RepoConfig | None:
    path = root / CONFIG_FILE
    if not path.exists():
        return None
    from reconciler.load.validate_file import validate_config_file

    config, findings = validate_config_file(path, root)
    if config is None or findings:
        first = findings[0] if findings else None
        where = f" at {first.location}: {first.message}" if first else ""
        raise ConfigError(
            f"{CONFIG_FILE} is invalid{where}",
            hint="run `reconciler validate reconciler.yaml` to see every finding",
        )
    return config
