"""The committed schemas and precompiled validators are generated from the models and
must not be stale; the validators' format checks are jsonschema's own."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.schema import FAST_FORMATS, _formats
from reconciler.schemas import (
    COMPILED,
    COMPILED_DIR,
    SCHEMAS,
    build_schema,
    render_schema,
    render_validator,
)
from tests.test_validate_fuzz import FUZZ

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


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


def test_compiled_validators_are_current() -> None:
    stale = [
        module
        for module in COMPILED
        if not (COMPILED_DIR / f"{module}.py").exists()
        or (COMPILED_DIR / f"{module}.py").read_text(encoding="utf-8") != render_validator(module)
    ]
    assert stale == [], f"run `python -m reconciler.schemas`; stale: {stale}"


def test_every_format_in_use_has_a_fast_check_that_is_jsonschemas_own() -> None:
    used = {fmt for name in SCHEMAS for fmt in _formats(build_schema(name))}
    assert used <= set(FAST_FORMATS), sorted(used - set(FAST_FORMATS))
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    for fmt, check in FAST_FORMATS.items():
        for value in FORMAT_SAMPLES:
            assert check(value) == checker.conforms(value, fmt), (fmt, value)


FORMAT_SAMPLES: list[object] = [
    "https://a.example.com/x?q=1#f",
    "https://[::1]:8443/",
    "https:/a",
    "https://",
    "https://a b.example.com",
    "a.example.com/x",
    "//a.example.com",
    "urn:x",
    "https://bücher.example/",
    "2026-11-28T06:00:00Z",
    "2026-11-28t06:00:00z",
    "2026-11-28T06:00:00.123456+01:00",
    "2026-11-28T06:00:00",
    "2026-11-28 06:00:00Z",
    "2026-02-30T06:00:00Z",
    "2026-11-28T24:00:00Z",
    "2026-12-31T23:59:60Z",
    "",
    "x",
    5,
    None,
]


@FUZZ
@given(st.text(alphabet="htps:/[]?#@%-.0123456789TZtz+ aé", max_size=30))
def test_fast_format_checks_agree_with_jsonschema_on_arbitrary_text(value: str) -> None:
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    for fmt, check in FAST_FORMATS.items():
        assert check(value) == checker.conforms(value, fmt), (fmt, value)
