"""The resubmit/resume request file: which runs, of which flows, how many at most."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from reconciler.models.common import (
    INT32_MAX,
    INT32_MIN,
    WHOLE,
    ApiVersion,
    Instant,
    Int,
    Omittable,
    Strict,
)
from reconciler.models.replay import RateLimit, Schedule

REQUEST_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class TimeWindow(Strict):
    """Half-open window after <= executionTime < before; absolute instants with a zone."""

    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": ["after"]}, {"required": ["before"]}]}
    )

    after: Omittable[Instant] = None
    before: Omittable[Instant] = None

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.after is None and self.before is None:
            raise PydanticCustomError("one_of", "needs at least one of 'after' or 'before'")
        if self.after and self.before and self.after >= self.before:
            raise PydanticCustomError("window", "is empty: 'after' must be earlier than 'before'")
        return self


class TextMatch(Strict):
    """Substring match (case-sensitive)."""

    contains: str = Field(min_length=1)


class PropertyFilter(Strict):
    name: str = Field(min_length=1)
    op: Literal["equals", "notEquals", "startsWith", "endsWith", "contains", "regex"] = "equals"
    value: str


class FromRequest(Strict):
    """Runs with this outcome in an earlier request: its runs whose batch `failed`, was
    `delivered`, or `any`; or `failed-again`: for each chain it delivered, the latest run
    executed after the delivery, when that run is in the Error group (the replay did not
    help: send those)."""

    name: str = Field(pattern=REQUEST_NAME)
    outcome: Literal["failed", "delivered", "any", "failed-again"] = "failed"


class Selection(Strict):
    """All filters given AND together."""

    status: list[str | Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX), WHOLE]] = Field(
        default_factory=list, description="Status names, groups or statusId integers."
    )
    executed: Omittable[TimeWindow] = None
    chainIds: list[str] = Field(default_factory=list)
    runIds: list[str] = Field(default_factory=list)
    workflows: list[str] = Field(default_factory=list)
    domain: Omittable[str | TextMatch] = None
    service: Omittable[str | TextMatch] = None
    action: Omittable[str | TextMatch] = None
    version: Omittable[str | TextMatch] = None
    properties: list[PropertyFilter] = Field(default_factory=list)
    search: Omittable[str] = Field(default=None, min_length=1)
    fromRequest: Omittable[FromRequest] = None


class Limits(Strict):
    maxRuns: Int = Field(
        default=10000, ge=1, le=INT32_MAX, description="Refuse a larger selection."
    )
    allowEmpty: bool = Field(
        default=False,
        description="true: a selection of no runs completes the request (0 of 0 runs); "
        "false: it stays pending until a dispatch after a runs import selects some.",
    )


class Request(Strict):
    """A resubmit or resume of selected runs, dispatched once on merge."""

    apiVersion: ApiVersion
    kind: Literal["ResubmitRequest"]
    name: str = Field(pattern=REQUEST_NAME, max_length=200, description="Unique forever.")
    reason: str = Field(min_length=1, description="Shown in the audit log.")
    action: Literal["resubmit", "resume"]
    flows: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    select: Selection = Field(default_factory=Selection)
    limits: Limits = Field(default_factory=Limits)
    batchSize: Omittable[Annotated[int, Field(ge=1, le=1000), WHOLE]] = None
    rateLimit: Omittable[RateLimit] = Field(
        default=None, description="At most so many POSTs per period; the flow's may be stricter."
    )
    schedule: Omittable[Schedule] = Field(
        default=None, description="Dispatch only from notBefore on and inside the windows."
    )
    suspend: bool = Field(
        default=False,
        description="true: send no further batch (those in flight finish); may change after "
        "dispatch.",
    )
    cancel: bool = Field(
        default=False,
        description="true: pending batches are cancelled and never sent; may change after "
        "dispatch, once.",
    )


# May change in a dispatched request: not part of its content hash.
CONTROL_FIELDS = frozenset({"suspend", "cancel"})
# Added after the first release: left out of the hash while unset, so the hash of a request
# dispatched before them stays what the ledger holds.
LATER_FIELDS = ("rateLimit", "schedule")
