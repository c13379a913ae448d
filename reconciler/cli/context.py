"""What every command gets: global options, resolved lazily (no driver imports here)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.errors import ConfigError
from reconciler.load.config import load_config
from reconciler.store import open_store

if TYPE_CHECKING:
    from reconciler.models import Config
    from reconciler.store import Store

DEFAULT_STORE_URL = "sqlite:///.reconciler/store.db"
AUTOMATION_FLAGS = ("CI", "GITHUB_ACTIONS")


def in_automation() -> bool:
    """Running under CI (CI=true, as GitHub Actions and most CI systems set it)."""
    return any(os.environ.get(name, "").lower() in ("true", "1") for name in AUTOMATION_FLAGS)


@dataclass
class AppContext:
    debug: bool
    store_url: str | None
    repo_root: str
    _config: Config | None = field(default=None, repr=False)
    _config_loaded: bool = field(default=False, repr=False)

    @property
    def root(self) -> Path:
        return Path(self.repo_root)

    def config(self) -> Config | None:
        """reconciler.yaml if present (raises ConfigError when it is invalid)."""
        if not self._config_loaded and not (self.root / "reconciler.yaml").exists():
            self._config_loaded = True  # nothing to load: skip importing the models
        if not self._config_loaded:
            self._config = load_config(self.root)
            self._config_loaded = True
        return self._config

    def resolved_store_url(self) -> str:
        """--store, else RECONCILER_STORE, else reconciler.yaml, else the embedded default.
        A relative sqlite path is relative to the repo root."""
        return self._store_choice()[0]

    def _store_choice(self) -> tuple[str, bool]:
        """(the store URL, whether it was configured rather than the default)."""
        url = self.store_url or os.environ.get("RECONCILER_STORE")
        if not url:
            config = self.config()
            url = config.store if config else None
        return (url, True) if url else (DEFAULT_STORE_URL, False)

    def require_configured_store(self, command: str) -> None:
        """In automation a command that writes lasting state refuses the default store: on a
        fresh runner it is a new, empty file that vanishes with the job (every request
        would look new, every apply would start from nothing)."""
        if in_automation() and not self._store_choice()[1]:
            raise ConfigError(
                f"refusing to run `{command}` in CI against the default store "
                f"({DEFAULT_STORE_URL}), which a fresh runner creates empty and throws away",
                hint="give the store explicitly: --store URL, a non-empty RECONCILER_STORE "
                "(e.g. from a repository secret), or store: in reconciler.yaml",
            )

    def default_store_notices(self) -> list[str]:
        """For read-only commands in automation on the default store: say so first."""
        if in_automation() and not self._store_choice()[1]:
            return [
                f"no store is configured, so this ran against the default store "
                f"{DEFAULT_STORE_URL} (empty on a fresh runner); set --store, "
                "RECONCILER_STORE or store: in reconciler.yaml"
            ]
        return []

    def open_store(self, *, migrate: bool = True, readonly: bool = False) -> Store:
        """The store at resolved_store_url(), created/upgraded unless migrate=False.
        `readonly` for commands that only read: they create nothing (see open_store)."""
        return open_store(
            self.resolved_store_url(), root=self.root, migrate=migrate, readonly=readonly
        )
