"""Replay controls in the formats: rate limits, schedules and their windows."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from reconciler.models.common import WHOLE, Instant, Omittable, Strict

Day = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "time_zone", "is not an IANA time zone (e.g. Europe/Brussels, UTC)"
        ) from None
    return name


class RateLimit(Strict):
    """At most `requests` POSTs per `per` to the endpoint, retries included."""

    requests: Annotated[int, Field(ge=1, le=1_000_000), WHOLE]
    per: Literal["second", "minute", "hour"]


class Window(Strict):
    """A daily window in a named time zone; `to` not after `from` runs across midnight."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=False)

    days: list[Day] = Field(min_length=1, description="The days the window opens on.")
    start: str = Field(
        alias="from", title="From", pattern=CLOCK, description="Opens at HH:MM, local time."
    )
    end: str = Field(
        alias="to", title="To", pattern=CLOCK, description="Closes at HH:MM, local time."
    )
    timeZone: Annotated[str, AfterValidator(_known_zone)] = Field(
        description="An IANA time zone, e.g. Europe/Brussels."
    )

    @model_validator(mode="after")
    def _not_empty(self) -> Window:
        if self.start == self.end:
            raise PydanticCustomError("window", "is empty: 'to' must differ from 'from'")
        return self


class Schedule(Strict):
    """When the request may be dispatched: not before an instant, and only in windows."""

    notBefore: Omittable[Instant] = Field(default=None, description="Absolute, with a zone.")
    windows: list[Window] = Field(
        default_factory=list, description="Daily windows; none = any time."
    )
