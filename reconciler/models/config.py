"""reconciler.yaml: optional repo-level settings."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from reconciler.models.common import ApiVersion, Strict


class NetworkPolicy(Strict):
    allow: list[str] = Field(
        default_factory=list,
        description="Hosts (exact or *.suffix) and CIDRs allowed although private/loopback.",
    )
    caBundle: str | None = Field(
        default=None, description="Extra trusted CAs (PEM), relative to the repo root."
    )


class Config(Strict):
    apiVersion: ApiVersion
    kind: Literal["Config"]
    store: str | None = Field(
        default=None, description="Store URL; --store and RECONCILER_STORE take precedence."
    )
    network: NetworkPolicy = Field(default_factory=NetworkPolicy)
    statuses: dict[str, str] = Field(
        default_factory=dict,
        description="Overrides of the statusId -> status name table.",
        json_schema_extra={"propertyNames": {"pattern": "^-?[0-9]+$"}},
    )
