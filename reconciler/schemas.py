"""JSON Schemas generated from the pydantic models (draft-07 keywords only, so that
yaml-language-server, check-jsonschema and this tool all agree)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

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


def build_schema(file_name: str) -> dict[str, Any]:
    model, title, description = SCHEMAS[file_name]
    body = model.model_json_schema(mode="validation")
    if file_name != "run.schema.json":  # run records are Invictus data: null is a value there
        body = _optional_without_null(body)
    body = _to_draft07(body)
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


# -- precompiled validators (reconciler/core/compiled/): fastjsonschema's code, committed ----
COMPILED_DIR = Path(__file__).resolve().parent / "core" / "compiled"
COMPILED: dict[str, str] = {  # module -> schema
    "flow": "flow.schema.json",
    "request": "request.schema.json",
    "config": "config.schema.json",
}
_ROOT_FUNCTION = re.compile(r"^def (validate_\w+)\(", re.MULTILINE)


def render_validator(module: str) -> str:
    """The validator module for a schema: compiled once here instead of on every run
    (~70 ms a kind), so that checking a valid file imports neither jsonschema nor builds
    the schema. Regenerate with `python -m reconciler.schemas` (a test fails when stale)."""
    import fastjsonschema

    from reconciler.core.schema import FAST_FORMATS

    file_name = COMPILED[module]
    code = fastjsonschema.compile_to_code(
        build_schema(file_name), formats=FAST_FORMATS, use_default=False
    )
    found = _ROOT_FUNCTION.search(code)
    assert found is not None, "fastjsonschema's code has no validation function"
    return (
        f"# Generated from {file_name} by `python -m reconciler.schemas`: do not edit.\n"
        "# Call validate(data, custom_formats=reconciler.core.schema.FAST_FORMATS).\n"
        "# mypy: ignore-errors\n"
        f"{code.rstrip()}\n\n\nvalidate = {found.group(1)}\n"
    )


def export_validators(directory: Path = COMPILED_DIR) -> list[Path]:
    """Write every validator module; return the files whose content changed."""
    changed = []
    for module in COMPILED:
        target = directory / f"{module}.py"
        text = render_validator(module)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed.append(target)
    return changed


if __name__ == "__main__":
    for path in export_validators():
        print(f"wrote {path}")
