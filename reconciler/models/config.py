"""reconciler.yaml: optional repo-level settings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from reconciler.models.common import INT32_MAX, WHOLE, ApiVersion, Omittable, Strict
from reconciler.models.flow import EnvRef

# A statusId as a key: an integer the store's INTEGER column holds (up to 9 digits here).
STATUS_CODE = r"^-?[0-9]{1,9}$"


def _keys_by_name(schema: dict[str, Any]) -> None:
    """JSON Schema spelling of "every key matches STATUS_CODE, every value is text"."""
    schema.pop("patternProperties", None)
    schema["propertyNames"] = {"pattern": STATUS_CODE}
    schema["additionalProperties"] = {"type": "string"}


class NetworkPolicy(Strict):
    allow: list[str] = Field(
        default_factory=list,
        description="Hosts (exact or *.suffix) and CIDRs allowed although private/loopback.",
    )
    caBundle: Omittable[str] = Field(
        default=None, description="Extra trusted CAs (PEM), relative to the repo root."
    )


class RequestApprovals(Strict):
    minRuns: Annotated[int, Field(ge=1, le=INT32_MAX), WHOLE] = Field(
        description="A request selecting at least this many runs needs an owner's approval."
    )


class Approvals(Strict):
    requests: RequestApprovals


Event = Literal[
    "completed",
    "completed_with_failures",
    "failed",
    "refused",
    "awaiting_approval",
    "breaker_open",
    "drift",
]


class Notification(Strict):
    urlFrom: EnvRef = Field(description="The webhook URL is a secret: read from the environment.")
    on: list[Event] = Field(min_length=1, description="The events to send.")
    format: Literal["slack", "teams", "json"] = Field(
        default="json", description="slack: {text}; teams: an Adaptive Card; json: the event."
    )


class Config(Strict):
    apiVersion: ApiVersion
    kind: Literal["Config"]
    store: Omittable[str] = Field(
        default=None, description="Store URL; --store and RECONCILER_STORE take precedence."
    )
    network: NetworkPolicy = Field(default_factory=NetworkPolicy)
    statuses: dict[Annotated[str, Field(pattern=STATUS_CODE)], str] = Field(
        default_factory=dict,
        description="Overrides of the statusId -> status name table.",
        json_schema_extra=_keys_by_name,
    )
    approvals: Omittable[Approvals] = Field(
        default=None, description="Reviews large requests need before they are dispatched."
    )
    notify: list[Notification] = Field(
        default_factory=list, description="Webhooks told how dispatches and applies ended."
    )
