"""What every format shares: strict models (unknown keys are errors, no type coercion:
the JSON Schema and the model accept the same documents), optional keys that may be left
out but not written as null, the integer ranges the stores hold, RFC 3339 date-times."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, ValidationInfo
from pydantic_core import PydanticCustomError

ApiVersion = Literal["reconciler/v1"]

# What the stores keep as INTEGER (32-bit on PostgreSQL) and as BIGINT (64-bit).
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def words(name: str) -> str:
    """A key or class name as the title an editor shows: "batchSize" -> "Batch size",
    "EnvRef" -> "Env ref", "caBundle" -> "CA bundle"."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)
    shown = [
        _ACRONYMS.get(p.lower(), p if p.isupper() and len(p) > 1 else p.lower())
        for p in spaced.split()
    ]
    text = " ".join(shown)
    return text[:1].upper() + text[1:]


_ACRONYMS = {"ca": "CA", "url": "URL", "id": "ID", "api": "API", "ids": "IDs"}


def _field_title(name: str, _info: Any) -> str:
    return words(name)


def _model_title(model: type[BaseModel]) -> str:
    return words(model.__name__)


class Strict(BaseModel):
    """Unknown keys are errors (the validator adds a "did you mean"); values are taken as
    they are typed in the file (`"50"` is text, not the integer 50)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        field_title_generator=_field_title,
        model_title_generator=_model_title,
    )


# Validation context of a configuration file (reconciler.core.validation passes it).
DOCUMENT = {"document": True}


def _not_null(value: Any, info: ValidationInfo) -> Any:
    # A file leaves an optional key out; the models' own JSON (canonical specs, what the
    # store keeps) writes it as null, and reads back as it was written.
    if value is None and info.context is DOCUMENT:
        raise PydanticCustomError("null", "a key that is given needs a value")
    return value


def _whole_number(value: Any) -> Any:
    # JSON Schema counts 50.0 as an integer; so do we (the editor and CI agree).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer setting (with its range as Field(ge=, le=) on the field). Inside a union or
# an Omittable, write Annotated[int, Field(ge=, le=), WHOLE]: the range must come first
# for the schema to carry it.
WHOLE = BeforeValidator(_whole_number)
Int = Annotated[int, WHOLE]

T = TypeVar("T")
# An optional key: leave it out for "none"; `key: null` (or `key:` with nothing) in a file
# is an error, as the schema says (it has no null there).
Omittable = Annotated[T | None, BeforeValidator(_not_null)]

# RFC 3339 date-time with a zone (what JSON Schema's `format: date-time` checks, any case;
# a leap second, :60, is the one thing it allows that a datetime cannot hold).
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})\Z"
)


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    text = value.upper() if isinstance(value, str) else None
    if text is None or not _RFC3339.match(text):
        raise PydanticCustomError("date_time", "not an RFC 3339 date-time with a zone")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError("date_time", "not an RFC 3339 date-time with a zone") from None
    return parsed


Instant = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
