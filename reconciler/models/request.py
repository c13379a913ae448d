"""The resubmit/resume request file (PRODUCT.md section 4)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, ConfigDict, Field, model_validator

from reconciler.models.common import ApiVersion, Strict

REQUEST_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class TimeWindow(Strict):
    """Half-open window after <= executionTime < before; absolute instants with a zone."""

    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": ["after"]}, {"required": ["before"]}]}
    )

    after: AwareDatetime | None = None
    before: AwareDatetime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.after is None and self.before is None:
            raise ValueError("a time window needs 'after', 'before' or both")
        if self.after and self.before and self.after >= self.before:
            raise ValueError("'after' must be earlier than 'before'")
        return self


class TextMatch(Strict):
    """Substring match (case-sensitive)."""

    contains: str = Field(min_length=1)


class PropertyFilter(Strict):
    name: str = Field(min_length=1)
    op: Literal["equals", "notEquals", "startsWith", "endsWith", "contains", "regex"] = "equals"
    value: str


class FromRequest(Strict):
    """Runs with this outcome in an earlier request."""

    name: str = Field(pattern=REQUEST_NAME)
    outcome: Literal["failed", "delivered", "any"] = "failed"


class Selection(Strict):
    """All filters given AND together."""

    status: list[str | int] = Field(default_factory=list)
    executed: TimeWindow | None = None
    chainIds: list[str] = Field(default_factory=list)
    runIds: list[str] = Field(default_factory=list)
    workflows: list[str] = Field(default_factory=list)
    domain: str | TextMatch | None = None
    service: str | TextMatch | None = None
    action: str | TextMatch | None = None
    version: str | TextMatch | None = None
    properties: list[PropertyFilter] = Field(default_factory=list)
    search: str | None = Field(default=None, min_length=1)
    fromRequest: FromRequest | None = None


class Limits(Strict):
    maxRuns: int = Field(default=10000, ge=1, description="Refuse a larger selection.")


class Request(Strict):
    """A resubmit or resume of selected runs, dispatched once on merge."""

    apiVersion: ApiVersion
    kind: Literal["ResubmitRequest"]
    name: str = Field(pattern=REQUEST_NAME, max_length=200, description="Unique forever.")
    reason: str = Field(min_length=1, description="Shown in the audit log.")
    action: Literal["resubmit", "resume"]
    flows: list[str] = Field(min_length=1)
    select: Selection = Field(default_factory=Selection)
    limits: Limits = Field(default_factory=Limits)
    batchSize: int | None = Field(default=None, ge=1, le=1000)


def window_bounds(window: TimeWindow | None) -> tuple[datetime | None, datetime | None]:
    if window is None:
        return None, None
    return window.after, window.before
