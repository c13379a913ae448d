"""JSON Schemas generated from the pydantic models (draft-07 keywords only, so that
yaml-language-server and check-jsonschema agree with this tool, which validates with the
models themselves)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from reconciler.errors import InternalError
from reconciler.models import Config, Flow, Request, RunRecord

SCHEMA_BASE_ID = "https://flow-reconciler.dev/schemas/"
DRAFT_07 = "http://json-schema.org/draft-07/schema#"

# file name -> (model, title, description)
SCHEMAS: dict[str, tuple[type[BaseModel], str, str]] = {
    "flow.schema.json": (
        Flow,
        "flow-reconciler Flow",
        "A flow definition in flows.d/: mappings, custom resubmit/resume endpoints, dispatch.",
    ),
    "request.schema.json": (
        Request,
        "flow-reconciler ResubmitRequest",
        "A resubmit or resume request in requests.d/, dispatched once on merge.",
    ),
    "run.schema.json": (
        RunRecord,
        "Invictus flow run record",
        "One element of the JSON array Invictus POSTs to a custom resubmit/resume URL.",
    ),
    "config.schema.json": (
        Config,
        "flow-reconciler Config",
        "reconciler.yaml: store URL, network allowlist, status name overrides.",
    ),
}


def _to_draft07(node: Any) -> Any:
    """pydantic emits `$defs`; draft-07 tools want `definitions`."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$defs":
                key = "definitions"
            if key == "$ref" and isinstance(value, str):
                value = value.replace("#/$defs/", "#/definitions/")
            out[key] = _to_draft07(value)
        return out
    if isinstance(node, list):
        return [_to_draft07(item) for item in node]
    return node


_NULL = {"type": "null"}


def _optional_without_null(node: Any) -> Any:
    """An optional key (`X | None = None`) may be left out, not written as `null`: emit
    `X` instead of `anyOf: [X, null]`. Clearer in the editor, cheaper to validate."""
    if isinstance(node, list):
        return [_optional_without_null(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _optional_without_null(value) for key, value in node.items()}
    branches = node.get("anyOf")
    if (
        isinstance(branches, list)
        and _NULL in branches
        and "default" in node
        and node["default"] is None
    ):
        rest = [b for b in branches if b != _NULL]
        extra = {k: v for k, v in node.items() if k not in ("anyOf", "default")}
        if len(rest) > 1:
            return {"anyOf": rest, **extra}
        (only,) = rest
        if "$ref" in only:  # draft-07 ignores siblings of $ref
            return {"allOf": [only], **extra}
        return {**only, **extra}
    return node


# The formats the models check themselves (models/common.py: Instant). A schema with any
# other `format` would promise the editor a check this tool does not make.
CHECKED_FORMATS = frozenset({"date-time"})


def formats(node: Any) -> Iterator[str]:
    """Every `format` a schema uses."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "format" and isinstance(value, str):
                yield value
            else:
                yield from formats(value)
    elif isinstance(node, list):
        for item in node:
            yield from formats(item)


def schema_for(model: type[BaseModel], *, nullable: bool = False) -> dict[str, Any]:
    """The draft-07 body of a model's schema. `nullable`: keep `null` for optional keys
    (run records are Invictus data: null is a value there)."""
    body: dict[str, Any] = model.model_json_schema(mode="validation")
    if not nullable:
        body = _optional_without_null(body)
    body = dict(_to_draft07(body))
    unchecked = sorted(set(formats(body)) - CHECKED_FORMATS)
    if unchecked:
        raise InternalError(
            f"the {model.__name__} schema uses format(s) {', '.join(unchecked)} "
            "that the models do not check",
            hint="check the value in the model (a validator) and add the format to "
            "CHECKED_FORMATS, or drop the format",
        )
    return body


def build_schema(file_name: str) -> dict[str, Any]:
    model, title, description = SCHEMAS[file_name]
    body = schema_for(model, nullable=model is RunRecord)
    body["title"] = title
    body["description"] = description
    return {"$schema": DRAFT_07, "$id": SCHEMA_BASE_ID + file_name, **body}


def render_schema(file_name: str) -> str:
    return json.dumps(build_schema(file_name), indent=2, ensure_ascii=False) + "\n"


def export_schemas(directory: Path) -> list[Path]:
    """Write every schema; return the files whose content changed."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for name in SCHEMAS:
        target = directory / name
        text = render_schema(name)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed.append(target)
    return changed
