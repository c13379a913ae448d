"""JSON Schema validation with the jsonschema library and real format checks.

The schemas are the generated `schemas/*.json` (from the pydantic models). Every `format`
they use must have a checker: jsonschema silently ignores formats it cannot check (e.g. `uri`
without rfc3986-validator), so a missing one is an InternalError, never a silent pass.
jsonschema's errors are translated into Issues with stable rule ids and "did you mean"s."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from reconciler.core.rules import DocPath, Issue, did_you_mean, dotted
from reconciler.errors import InternalError

TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}
FORMAT_WORDS = {
    "date-time": "an RFC 3339 date-time with a zone (e.g. 2026-11-28T06:00:00Z)",
    "uri": "an absolute URI",
}
FORMAT_HINTS = {
    "date-time": "relative windows are not allowed: what the PR previewed must be what merge sends",
}


def describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else "text"
    return repr(value)


def _formats(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "format" and isinstance(value, str):
                yield value
            else:
                yield from _formats(value)
    elif isinstance(node, list):
        for item in node:
            yield from _formats(item)


def _matches_type(type_name: str, value: Any) -> bool:
    if type_name == "object":
        return isinstance(value, dict)
    if type_name == "array":
        return isinstance(value, list)
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "null":
        return value is None
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return False


def _inline_refs(node: Any, definitions: dict[str, Any], seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline_refs(item, definitions, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        name = ref.rsplit("/", 1)[-1]
        if name in seen or name not in definitions:  # recursive: keep the reference
            return node
        return _inline_refs(definitions[name], definitions, (*seen, name))
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], dict):
        merged = {**_inline_refs(all_of[0], definitions, seen)}
        for key, value in node.items():
            if key != "allOf":
                merged.setdefault(key, _inline_refs(value, definitions, seen))
        return merged
    return {
        key: _inline_refs(value, definitions, seen)
        for key, value in node.items()
        if not (key == "definitions" and not seen)
    }


def _date_time(value: Any) -> bool:
    from rfc3339_validator import validate_rfc3339  # type: ignore[import-untyped]

    return not isinstance(value, str) or bool(validate_rfc3339(value.upper()))


def _uri(value: Any) -> bool:
    from rfc3986_validator import validate_rfc3986  # type: ignore[import-untyped]

    return not isinstance(value, str) or bool(validate_rfc3986(value, rule="URI"))


# The format checks of the precompiled validators, without importing jsonschema: the very
# functions its FORMAT_CHECKER calls for the formats our schemas use (tests check that
# they agree, and that no schema uses another format). Each imports its library on use.
FAST_FORMATS: dict[str, Callable[[Any], bool]] = {"date-time": _date_time, "uri": _uri}


def load_format_checks() -> None:
    """Import the format checks' libraries now (before forking workers that all use them)."""
    for check in FAST_FORMATS.values():
        check("")


def _fast_validator(schema: dict[str, Any], checker: Any) -> Callable[[Any], Any]:
    """The same schema compiled by fastjsonschema: most files are valid, and for those it is
    ~20x faster than jsonschema. Its formats are jsonschema's own checkers (its built-in
    regexes differ), so the fast path accepts exactly what jsonschema accepts; an unknown
    format fails at compile time. `use_default=False`: the data is never changed."""
    import fastjsonschema

    formats = {
        name: functools.partial(checker.conforms, format=name) for name in set(_formats(schema))
    }
    return fastjsonschema.compile(schema, formats=formats, use_default=False)


# Documents of one kind checked by jsonschema alone before the fast path is compiled
# (when there is no precompiled validator).
FAST_PATH_AFTER = 16


def _jsonschema_validator(schema: dict[str, Any]) -> Any:
    """A draft-07 jsonschema validator with every format the schema uses checkable
    (InternalError otherwise: jsonschema would skip an uncheckable format silently)."""
    import sys

    # jsonschema imports rfc3987_syntax (a lark grammar, ~1 s) only to check the `iri`
    # formats, which no schema of ours uses. Skip that import; should a schema ever use
    # `iri`, the missing-checker guard below fails loudly instead of passing silently.
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    from jsonschema import Draft7Validator

    # (The schemas are ours, generated; tests/test_schemas.py checks them against the
    # draft-07 metaschema, so no check_schema on every start.)
    checker = Draft7Validator.FORMAT_CHECKER
    missing = sorted({f for f in _formats(schema) if f not in checker.checkers})
    if missing:
        raise InternalError(
            f"schema {schema.get('$id', '?')} uses format(s) {', '.join(missing)} "
            "that cannot be checked",
            hint="install jsonschema[format-nongpl] (pip install -e .); formats are never "
            "skipped silently",
        )
    # The same schema with its (non-recursive) $refs resolved in memory: jsonschema
    # spends a third of its time looking references up otherwise.
    definitions = schema.get("definitions", {})
    return Draft7Validator(_inline_refs(schema, definitions, ()), format_checker=checker)


class SchemaChecker:
    """A draft-07 validator with every used format checkable, and readable issues.

    `SchemaChecker(schema)` sets up jsonschema now. `SchemaChecker.precompiled(build,
    validate)` checks with a committed fastjsonschema validator first: a valid document
    then costs neither the schema (`build` makes it from the models) nor jsonschema's
    import (a fifth of a short command's start-up); both come only for an invalid one,
    whose messages and paths are jsonschema's."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self._build: Callable[[], dict[str, Any]] = lambda: schema
        self._precompiled: Callable[[Any], Any] | None = None
        self._checked = 0
        _ = self.validator  # fail now on an uncheckable format

    @classmethod
    def precompiled(
        cls, build: Callable[[], dict[str, Any]], validate: Callable[..., Any]
    ) -> SchemaChecker:
        checker = cls.__new__(cls)
        checker._build = build
        checker._precompiled = functools.partial(validate, custom_formats=FAST_FORMATS)
        checker._checked = 0
        return checker

    @functools.cached_property
    def schema(self) -> dict[str, Any]:
        return self._build()

    @functools.cached_property
    def definitions(self) -> dict[str, Any]:
        return dict(self.schema.get("definitions", {}))

    @functools.cached_property
    def validator(self) -> Any:
        return _jsonschema_validator(self.schema)

    @functools.cached_property
    def fast(self) -> Callable[[Any], Any]:
        """The compiled fast path: the precompiled one, else built on first use (~70 ms:
        worth it for many files)."""
        if self._precompiled is not None:
            return self._precompiled
        return _fast_validator(self.schema, self.validator.format_checker)

    def issues(self, data: Any) -> list[Issue]:
        """The schema violations of `data`: none when the compiled fast path accepts it,
        else jsonschema's own errors (the authority for messages and paths). Without a
        precompiled validator the first few documents go to jsonschema directly: a run
        that validates one changed file should not compile anything."""
        self._checked += 1
        if self._precompiled is not None or self._checked > FAST_PATH_AFTER:
            try:
                self.fast(data)
                return []
            except Exception:  # any doubt goes to jsonschema
                pass
        out: list[Issue] = []
        for error in self.validator.iter_errors(data):
            self._translate(error, out)
        return out

    def _deref(self, schema: Any) -> Any:
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#/definitions/"):
                break
            schema = self.definitions.get(ref.rsplit("/", 1)[-1], {})
        return schema

    def _branch_types(self, schema: Any) -> list[str]:
        schema = self._deref(schema)
        if not isinstance(schema, dict):
            return []
        kind = schema.get("type")
        if isinstance(kind, str):
            return [kind]
        if isinstance(kind, list):
            return [k for k in kind if isinstance(k, str)]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return [t for sub in schema[key] for t in self._branch_types(sub)]
        if "properties" in schema:
            return ["object"]
        if "const" in schema or "enum" in schema:
            return ["string"]
        return []

    def _translate(self, error: Any, out: list[Issue]) -> None:
        path: DocPath = tuple(error.absolute_path)
        where = dotted(path)
        keyword = error.validator
        value = error.instance
        schema = error.schema if isinstance(error.schema, dict) else {}
        if keyword == "additionalProperties" and isinstance(value, dict):
            allowed = list(schema.get("properties", {}))
            for key in value:
                if key in allowed:
                    continue
                hint = did_you_mean(key, allowed) or (
                    f"allowed keys here: {', '.join(allowed)}" if allowed else None
                )
                inside = f" in {where}" if path else ""
                out.append(
                    Issue((*path, key), "unknown-key", f"unknown key '{key}'{inside}", hint, True)
                )
        elif keyword == "required" and isinstance(value, dict):
            inside = f" in {where}" if path else ""
            for key in error.validator_value:
                if key not in value:
                    out.append(Issue(path, "schema", f"missing required key '{key}'{inside}"))
        elif keyword in ("enum", "const"):
            options = error.validator_value if keyword == "enum" else [error.validator_value]
            expected = " or ".join(f"'{o}'" for o in options)
            hint = (
                did_you_mean(value, [str(o) for o in options]) if isinstance(value, str) else None
            )
            out.append(
                Issue(path, "enum", f"{where} must be {expected}, not {describe(value)}", hint)
            )
        elif keyword == "type":
            types = error.validator_value
            types = [types] if isinstance(types, str) else list(types)
            expected = " or ".join(TYPE_WORDS.get(t, t) for t in types)
            out.append(Issue(path, "schema", f"{where} must be {expected}, not {describe(value)}"))
        elif keyword in ("anyOf", "oneOf"):
            self._alternatives(error, path, where, keyword, value, out)
        elif keyword == "format":
            fmt = error.validator_value
            words = FORMAT_WORDS.get(fmt, f"a valid {fmt}")
            out.append(
                Issue(
                    path,
                    "schema",
                    f"{where}: {describe(value)} is not {words}",
                    FORMAT_HINTS.get(fmt),
                )
            )
        elif keyword == "pattern":
            hint = schema.get("description")
            out.append(
                Issue(
                    path,
                    "schema",
                    f"{where}: {describe(value)} does not match the pattern {error.validator_value}",
                    hint,
                )
            )
        elif keyword in ("minItems", "minLength") and error.validator_value == 1:
            out.append(Issue(path, "schema", f"{where} must not be empty"))
        else:
            out.append(Issue(path, "schema", f"{where}: {error.message}"))

    def _alternatives(
        self, error: Any, path: DocPath, where: str, keyword: str, value: Any, out: list[Issue]
    ) -> None:
        subs = error.validator_value
        if all(isinstance(s, dict) and list(s) == ["required"] for s in subs):
            names = [n for s in subs for n in s["required"]]
            quoted = " or ".join(f"'{n}'" for n in names)
            present = [n for n in names if isinstance(value, dict) and n in value]
            if keyword == "oneOf" and len(present) > 1:
                both = " and ".join(f"'{n}'" for n in present)
                message = f"{where} has both {both}: give exactly one"
            elif keyword == "oneOf":
                message = f"{where} needs one of {quoted}"
            else:
                message = f"{where} needs at least one of {quoted}"
            out.append(Issue(path, "schema", message))
            return
        fitting = [
            index
            for index, sub in enumerate(subs)
            if any(_matches_type(t, value) for t in self._branch_types(sub))
        ]
        if len(fitting) == 1:
            before = len(out)
            for sub_error in error.context or ():
                if (
                    sub_error.relative_schema_path
                    and sub_error.relative_schema_path[0] == fitting[0]
                ):
                    self._translate(sub_error, out)
            if len(out) > before:
                return
        types: list[str] = []
        for sub in subs:
            for t in self._branch_types(sub):
                word = TYPE_WORDS.get(t, t)
                if t != "null" and word not in types:
                    types.append(word)
        expected = " or ".join(types) if types else "a valid value"
        out.append(Issue(path, "schema", f"{where} must be {expected}, not {describe(value)}"))
