"""A run record read from a run file -> the columns the store indexes, or why it is refused.

Everything that could make a store refuse a record is checked here, before any store sees
it, and the same way for SQLite and PostgreSQL, so that one bad record costs that record
only: the run model (reconciler.models.run: `id` and the other indexed keys are text of at
most KEY_TEXT_MAX characters, `statusId` a 32-bit integer), an ISO 8601 `executionTime`,
and no NUL character or lone surrogate anywhere in the record (PostgreSQL keeps neither in
text, and its JSON operators, which read `properties` for a selection, refuse a record that
holds one). The reader (reconciler.load.runfile) has already bounded size and nesting.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from reconciler.core.select import parse_timestamp_us
from reconciler.load.runfile import RawRecord
from reconciler.models.run import RunRecord

# (column, key in properties) of the Domain/Service/Action/Version columns.
_DSAV = (("domain", "Domain"), ("service", "Service"), ("action", "Action"), ("version", "Version"))
# A backslash escape in JSON text: \uXXXX (group 1: the hex digits) or any other.
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.S)
_VALIDATOR = RunRecord.__pydantic_validator__


@dataclass(frozen=True, slots=True)
class RunRow:
    """What the store keeps of one run: its indexed columns and its exact JSON text."""

    id: str
    workflow_run_id: str | None
    chain_id: str | None
    workflow_name: str | None
    dsav: tuple[str | None, str | None, str | None, str | None]
    status_id: int | None
    execution_us: int | None
    text: str
    digest: str


def _text_of(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _position(raw: RawRecord, text: str, offset: int) -> str:
    """line:col in the file of text[offset] (text is the record, starting at raw's line:col)."""
    newlines = text.count("\n", 0, offset)
    if not newlines:
        return f"{raw.line}:{raw.col + offset}"
    line_start = text.rindex("\n", 0, offset) + 1
    return f"{raw.line + newlines}:{offset - line_start + 1}"


def _escape_problem(raw: RawRecord, text: str) -> str | None:
    """A NUL or a lone surrogate, which JSON can only hold as an escape (a raw NUL is not
    valid JSON, a raw surrogate not valid UTF-8)."""
    if "\\u" not in text:
        return None
    high: re.Match[str] | None = None  # a high surrogate waiting for its low half
    for escape in _ESCAPE.finditer(text):
        digits = escape.group(1)
        code = int(digits, 16) if digits else -1
        if high is not None:
            if 0xDC00 <= code <= 0xDFFF and escape.start() == high.end():
                high = None
                continue
            break
        if code == 0:
            return (
                f"\\u0000 at {_position(raw, text, escape.start())}: a NUL character, "
                "which the store cannot keep; remove it from the record"
            )
        if 0xD800 <= code <= 0xDBFF:
            high = escape
        elif 0xDC00 <= code <= 0xDFFF:
            high = escape
            break
    if high is None:
        return None
    return (
        f"{high.group()} at {_position(raw, text, high.start())}: a lone surrogate, which "
        "is not a character; write the character itself or its full surrogate pair"
    )


def parse_record(raw: RawRecord) -> RunRow | str:
    """A record the reader decoded -> its row, or the reason it is refused."""
    value = raw.value
    if not isinstance(value, dict):
        return f"a run record must be a JSON object, found {type(value).__name__}"
    try:
        _VALIDATOR.validate_python(value, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        return f"{where}: {first['msg']}{more}"
    text = raw.text
    assert text is not None
    problem = _escape_problem(raw, text)
    if problem is not None:
        return problem
    execution = value.get("executionTime")
    execution_us = None
    if execution is not None:
        try:
            execution_us = parse_timestamp_us(execution)
        except ValueError:
            return f"executionTime: {execution!r} is not an ISO 8601 timestamp"
    props = value.get("properties") or {}
    return RunRow(
        id=value["id"],
        workflow_run_id=value.get("workFlowRunId"),
        chain_id=value.get("chainId"),
        workflow_name=value.get("workflowName"),
        dsav=tuple(_text_of(props.get(key)) for _, key in _DSAV),  # type: ignore[arg-type]
        status_id=value.get("statusId"),
        execution_us=execution_us,
        text=text,
        digest=hashlib.sha256(text.encode()).hexdigest(),
    )
