"""What every command gets: global options, resolved lazily (no driver imports here)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reconciler.core.repoconfig import RepoConfig
    from reconciler.store import Store

DEFAULT_STORE_URL = "sqlite:///.reconciler/store.db"


@dataclass
class AppContext:
    debug: bool
    store_url: str | None
    repo_root: str
    _config: RepoConfig | None = field(default=None, repr=False)
    _config_loaded: bool = field(default=False, repr=False)

    @property
    def root(self) -> Path:
        return Path(self.repo_root)

    def config(self) -> RepoConfig | None:
        """reconciler.yaml if present (raises ConfigError when it is invalid)."""
        if not self._config_loaded and not (self.root / "reconciler.yaml").exists():
            self._config_loaded = True  # nothing to load: skip importing the models
        if not self._config_loaded:
            from reconciler.load.config import load_config

            self._config = load_config(self.root)
            self._config_loaded = True
        return self._config

    def resolved_store_url(self) -> str:
        """--store, else RECONCILER_STORE, else reconciler.yaml, else the embedded default.
        A relative sqlite path is relative to the repo root."""
        url = self.store_url or os.environ.get("RECONCILER_STORE")
        if not url:
            config = self.config()
            url = (config.store if config else None) or DEFAULT_STORE_URL
        return url

    def open_store(self, *, migrate: bool = True) -> Store:
        """The store at resolved_store_url(), created/upgraded unless migrate=False."""
        from reconciler.store import open_store

        return open_store(self.resolved_store_url(), root=self.root, migrate=migrate)
