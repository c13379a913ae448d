"""The committed schemas are generated from the models and must not be stale."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from reconciler.schemas import SCHEMAS, build_schema, render_schema

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
