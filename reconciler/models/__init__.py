"""pydantic models: the single source of truth for every file format.

`schemas/*.json` are generated from these (`reconciler schema export`)."""

from reconciler.models.config import Config, NetworkPolicy
from reconciler.models.flow import (
    Dispatch,
    Display,
    Endpoint,
    EnvRef,
    Flow,
    Header,
    Mapping,
    PropertyDef,
)
from reconciler.models.request import (
    FromRequest,
    Limits,
    PropertyFilter,
    Request,
    Selection,
    TextMatch,
    TimeWindow,
)
from reconciler.models.run import RunRecord

API_VERSION = "reconciler/v1"

__all__ = [
    "API_VERSION",
    "Config",
    "Dispatch",
    "Display",
    "Endpoint",
    "EnvRef",
    "Flow",
    "FromRequest",
    "Header",
    "Limits",
    "Mapping",
    "NetworkPolicy",
    "PropertyDef",
    "PropertyFilter",
    "Request",
    "RunRecord",
    "Selection",
    "TextMatch",
    "TimeWindow",
]
