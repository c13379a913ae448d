"""The committed schemas are generated from the models and current, and they agree with
the models: a document the model accepts, the schema accepts, and the other way round
(jsonschema with its format checks is the oracle, on documents built from the schemas)."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel, Field

from reconciler.core.validation import validate
from reconciler.errors import InternalError
from reconciler.models import Config, Flow, Request
from reconciler.schemas import (
    CHECKED_FORMATS,
    SCHEMAS,
    build_schema,
    formats,
    render_schema,
    schema_for,
)
from tests.schema_documents import Builder

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
CHECKER = jsonschema.Draft7Validator.FORMAT_CHECKER


def test_committed_schemas_are_current() -> None:
    stale = [
        name
        for name in SCHEMAS
        if not (SCHEMA_DIR / name).exists()
        or (SCHEMA_DIR / name).read_text(encoding="utf-8") != render_schema(name)
    ]
    assert stale == [], f"run `reconciler schema export`; stale: {stale}"


def test_schemas_are_valid_draft07_with_ids_and_titles() -> None:
    for name in SCHEMAS:
        schema = build_schema(name)
        jsonschema.Draft7Validator.check_schema(schema)
        assert schema["$id"].endswith(name)
        assert schema["title"] and schema["description"]
        assert "$defs" not in json.dumps(schema), "draft-07 uses definitions"


def test_every_format_in_use_is_checked_by_the_models_and_by_the_oracle() -> None:
    used = {fmt for name in SCHEMAS for fmt in formats(build_schema(name))}
    assert used and used <= CHECKED_FORMATS
    # jsonschema skips a format it has no checker for: the oracle would pass silently.
    assert used <= set(CHECKER.checkers), sorted(used - set(CHECKER.checkers))


def test_a_format_the_models_do_not_check_cannot_be_exported() -> None:
    class Unchecked(BaseModel):
        link: str = Field(json_schema_extra={"format": "uri"})

    with pytest.raises(InternalError, match=r"uses format\(s\) uri that the models do not check"):
        schema_for(Unchecked)


MODELS: dict[str, type[BaseModel]] = {
    "flow.schema.json": Flow,
    "request.schema.json": Request,
    "config.schema.json": Config,
}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _empty_window(document: dict[str, Any]) -> bool:
    """after >= before: the model refuses it; JSON Schema cannot compare two values."""
    select = document.get("select")
    window = select.get("executed") if isinstance(select, dict) else None
    if not isinstance(window, dict):
        return False
    try:
        after = datetime.fromisoformat(str(window["after"]).upper())
        before = datetime.fromisoformat(str(window["before"]).upper())
        return bool(after >= before)
    except (KeyError, ValueError, TypeError):
        return False


def _windows(value: Any) -> list[dict[str, Any]]:
    """Every mapping with a timeZone (a schedule window), wherever it is."""
    if isinstance(value, dict):
        own = [value] if "timeZone" in value else []
        return own + [w for v in value.values() for w in _windows(v)]
    if isinstance(value, list):
        return [w for item in value for w in _windows(item)]
    return []


def _unknown_zone_or_empty_daily_window(document: Any) -> bool:
    """A time zone zoneinfo does not know, or a daily window from == to: the model refuses
    both; the schema has no list of zones (it would differ between machines' tzdata)."""
    for window in _windows(document):
        zone = window.get("timeZone")
        if isinstance(zone, str):
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                return True
        if "from" in window and window.get("from") == window.get("to"):
            return True
    return False


def _known_difference(document: Any) -> bool:
    """What JSON Schema cannot say and the model does (or, for the last two, what the
    loader refuses before any model sees it): an empty time window, an unknown time zone
    or an empty daily window, NaN, a leap second (a datetime cannot hold :60), text ending
    in a newline (Python's `$` in the oracle matches before it), a lone surrogate."""
    texts = _strings(document)
    return (
        (isinstance(document, dict) and _empty_window(document))
        or _unknown_zone_or_empty_daily_window(document)
        or any(isinstance(v, float) and math.isnan(v) for v in _numbers(document))
        or any(":60" in t for t in texts)
        or any(t.endswith("\n") for t in texts)
        or any("\ud800" <= c <= "\udfff" for t in texts for c in t)
    )


def _numbers(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return [value] if isinstance(value, float) else []


def _agreement(name: str) -> Any:
    schema = build_schema(name)
    oracle = jsonschema.Draft7Validator(schema, format_checker=CHECKER)

    @settings(
        max_examples=400,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(Builder(schema).documents())
    def agree(document: Any) -> None:
        if _known_difference(document):
            return
        model, issues = validate(MODELS[name], document)
        schema_errors = [e.message for e in oracle.iter_errors(document)]
        assert (model is not None) == (not schema_errors), (document, issues, schema_errors)

    return agree


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_models_and_the_schemas_accept_the_same_documents(name: str) -> None:
    _agreement(name)()


def test_schema_titles_read_as_words() -> None:
    """What an editor shows beside a key: "Batch size", not "Batchsize"."""
    from reconciler.models.common import words
    from reconciler.schemas import SCHEMAS, build_schema

    def properties(node: object) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
        found: list[tuple[str, dict]] = []  # type: ignore[type-arg]
        if isinstance(node, dict):
            for key, value in (node.get("properties") or {}).items():
                found.append((key, value))
            for value in node.values():
                found += properties(value)
        elif isinstance(node, list):
            for item in node:
                found += properties(item)
        return found

    seen = 0
    for name in SCHEMAS:
        if name == "run.schema.json":  # Invictus's field names, as Invictus spells them
            continue
        for key, prop in properties(build_schema(name)):
            if "title" in prop:
                assert prop["title"] == words(key), (name, key, prop["title"])
                seen += 1
    assert seen > 40
    assert words("batchSize") == "Batch size" and words("caBundle") == "CA bundle"
