"""The network settings of one run -- the policy (`network.allow`) and the trusted CAs
(`network.caBundle` or `--ca-bundle`) -- and the guarded httpx clients built from them."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from reconciler.core.netpolicy import AllowlistError, NetPolicy
from reconciler.errors import ConfigError
from reconciler.http.guard import build_async_client, build_client
from reconciler.http.trust import build_ssl_context

if TYPE_CHECKING:
    from reconciler.models import Config


@dataclass(frozen=True)
class NetworkSettings:
    policy: NetPolicy
    ca_bundle: Path | None = None
    _contexts: dict[str, ssl.SSLContext] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def from_config(
        cls, config: Config | None, root: Path, *, ca_bundle: str | Path | None = None
    ) -> NetworkSettings:
        """`ca_bundle` (e.g. --ca-bundle, relative to the CWD) wins over network.caBundle
        (relative to the repo root)."""
        entries = list(config.network.allow) if config else []
        try:
            policy = NetPolicy.parse(entries)
        except AllowlistError as exc:
            raise ConfigError(
                f"reconciler.yaml: {exc}",
                hint='entries look like "api.corp.example", "*.corp.example" or "10.1.0.0/16"',
            ) from None
        bundle: Path | None = None
        if ca_bundle is not None:
            bundle = Path(ca_bundle)
        elif config and config.network.caBundle:
            bundle = root / config.network.caBundle
        return cls(policy, bundle)

    def ssl_context(self) -> ssl.SSLContext:
        """Built once per settings and shared by its clients (loading the CAs is the
        expensive part of a context)."""
        cached = self._contexts.get("ssl")
        if cached is None:
            cached = self._contexts["ssl"] = build_ssl_context(self.ca_bundle)
        return cached

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """`guard.build_async_client` with this run's policy and CAs."""
        return build_async_client(self.policy, ssl_context=self.ssl_context(), **kwargs)

    def client(self, **kwargs: Any) -> httpx.Client:
        """`guard.build_client` with this run's policy and CAs."""
        return build_client(self.policy, ssl_context=self.ssl_context(), **kwargs)
