"""What commands read of reconciler.yaml, as a plain value.

The pydantic `Config` model stays the one definition of the format: a document becomes a
RepoConfig only after the validator (schema, rules and the model itself) accepted it,
usually straight from the validation cache. Building it needs no pydantic, which would
otherwise be most of a short command's start-up (`runs list`, `check`)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple


class RepoConfig(NamedTuple):
    store: str | None = None
    allow: tuple[str, ...] = ()  # network.allow
    ca_bundle: str | None = None  # network.caBundle, relative to the repo root
    statuses: Mapping[str, str] = MappingProxyType({})

    @classmethod
    def from_document(cls, data: Mapping[str, Any]) -> RepoConfig:
        """From a document the Config model accepted (the model's defaults apply)."""
        network = data.get("network") or {}
        return cls(
            store=data.get("store"),
            allow=tuple(network.get("allow") or ()),
            ca_bundle=network.get("caBundle"),
            statuses=dict(data.get("statuses") or {}),
        )
