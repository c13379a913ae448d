"""The one validation path: a document through its pydantic model.

A document the model accepts is valid, and the model is what commands work with. For one
it rejects, pydantic's errors become Issues: a stable rule id, a message that says what was
expected (its words come from the JSON Schema generated from the same models, the one the
editor uses) and the path in the document, which the loader turns into file:line:col."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reconciler.core.rules import DocPath, Issue, dotted
from reconciler.core.suggest import did_you_mean
from reconciler.models.common import DOCUMENT
from reconciler.schemas import schema_for

M = TypeVar("M", bound=BaseModel)

TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}
DATE_TIME_HINT = "relative windows are not allowed: what the PR previewed must be what merge sends"
_BIG = 10**30


def describe(value: Any) -> str:
    """A value as a message shows it (short; never a 4,000-digit number)."""
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
    if isinstance(value, int) and not -_BIG < value < _BIG:
        return f"a {len(str(abs(value)))}-digit number"
    return repr(value)


def validate(model: type[M], data: Any) -> tuple[M | None, list[Issue]]:
    """The model of `data`, or None and every reason it is not one."""
    try:
        return model.model_validate(data, context=DOCUMENT), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=True, include_input=False)
        return None, _Translator(_schema_of(model), data).issues(errors)


@functools.cache
def _schema_of(model: type[BaseModel]) -> dict[str, Any]:

    return schema_for(model)


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


_TAG_TYPES = (
    (re.compile(r"(^|\W)(constrained-)?str(\W|$)"), "string"),
    (re.compile(r"(^|\W)(constrained-)?int(\W|$)"), "integer"),
    (re.compile(r"(^|\W)(constrained-)?float(\W|$)"), "number"),
    (re.compile(r"(^|\W)bool(\W|$)"), "boolean"),
    (re.compile(r"^list\["), "array"),
    (re.compile(r"^dict\[|^[A-Z]\w*$"), "object"),  # a dict, or a model (its class name)
)


def _tag_type(tag: str) -> str | None:
    """The JSON type of a union member, from the name pydantic gives it in error paths."""
    for pattern, type_name in _TAG_TYPES:
        if pattern.search(tag):
            return type_name
    return None


class _Error:
    """A pydantic error, its path in the document and the union members it went through."""

    __slots__ = ("error", "key", "path", "tags")

    def __init__(self, error: Any, data: Any) -> None:
        self.error = error
        self.key = False  # the error is about a mapping key, not its value
        path: list[str | int] = []
        tags: list[tuple[int, str]] = []  # (depth in path, member name)
        value = data
        loc = error["loc"]
        for index, part in enumerate(loc):
            if part == "[key]":
                self.key = True
            elif _contains(value, part):
                path.append(part)
                value = value[part]
            elif error["type"] == "missing" and index == len(loc) - 1:
                path.append(part)
            else:
                tags.append((len(path), str(part)))
        self.path: DocPath = tuple(path)
        self.tags = tags


class _Translator:
    def __init__(self, schema: dict[str, Any], data: Any) -> None:
        self.schema = schema
        self.definitions: dict[str, Any] = schema.get("definitions", {})
        self.data = data

    def issues(self, errors: list[Any]) -> list[Issue]:
        return list(self._translate([_Error(e, self.data) for e in errors]))

    def _translate(self, errors: list[_Error]) -> Iterator[Issue]:
        """Errors outside unions one by one; a union's errors together: those of the one
        member that fits the value's type, else one "must be X or Y" message."""
        unions: dict[DocPath, dict[str, list[_Error]]] = {}
        for error in errors:
            if error.tags:
                depth, tag = error.tags[0]
                unions.setdefault(error.path[:depth], {}).setdefault(tag, []).append(error)
            else:
                yield self._issue(error)
        for path, members in unions.items():
            value = self._value(path)
            fitting = [t for t in members if _matches_type(_tag_type(t) or "", value)]
            if len(fitting) == 1:
                for error in members[fitting[0]]:
                    error.tags = error.tags[1:]
                yield from self._translate(members[fitting[0]])
                continue
            words = [TYPE_WORDS[t] for t in map(_tag_type, members) if t is not None]
            expected = " or ".join(dict.fromkeys(words)) or "a valid value"
            yield Issue(path, "schema", f"{dotted(path)} must be {expected}, not {describe(value)}")

    def _value(self, path: DocPath) -> Any:
        value = self.data
        for part in path:
            value = value[part]
        return value

    # -- the schema node at a path (for the words of a message) ----------------------------
    def _deref(self, node: Any) -> dict[str, Any]:
        while isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and "#/definitions/" in ref:
                node = self.definitions.get(ref.rsplit("/", 1)[-1], {})
                continue
            all_of = node.get("allOf")
            if isinstance(all_of, list) and len(all_of) == 1:
                node = {**self._deref(all_of[0]), **{k: v for k, v in node.items() if k != "allOf"}}
            found: dict[str, Any] = node
            return found
        return {}

    def _types(self, node: Any) -> list[str]:
        node = self._deref(node)
        kind = node.get("type")
        if isinstance(kind, str):
            return [kind]
        if isinstance(kind, list):
            return [k for k in kind if isinstance(k, str)]
        for key in ("anyOf", "oneOf"):
            if key in node and all(
                isinstance(b, dict) and list(b) != ["required"] for b in node[key]
            ):
                return [t for branch in node[key] for t in self._types(branch)]
        if "properties" in node:
            return ["object"]
        return ["string"] if "const" in node or "enum" in node else []

    def _node(self, path: DocPath) -> dict[str, Any]:
        node = self._deref(self.schema)
        value = self.data
        for part in path:
            if isinstance(part, int):
                node = self._deref(node.get("items", {}))
            else:
                extra = node.get("additionalProperties")
                node = self._deref(node.get("properties", {}).get(part, extra or {}))
            value = value[part] if _contains(value, part) else None
            for key in ("anyOf", "oneOf"):
                branches = node.get(key)
                if isinstance(branches, list) and value is not None:
                    fitting = [
                        b for b in branches if any(_matches_type(t, value) for t in self._types(b))
                    ]
                    if len(fitting) == 1:
                        node = self._deref(fitting[0])
        return node

    # -- one error ------------------------------------------------------------------------
    def _issue(self, error: _Error) -> Issue:
        kind = error.error["type"]
        ctx = error.error.get("ctx") or {}
        path = error.path
        where = dotted(path)
        value = self._value(path) if kind != "missing" else None
        if kind == "extra_forbidden":
            key, parent = str(path[-1]), path[:-1]
            allowed = list(self._node(parent).get("properties", {}))
            hint = did_you_mean(key, allowed) or (
                f"allowed keys here: {', '.join(allowed)}" if allowed else None
            )
            inside = f" in {dotted(parent)}" if parent else ""
            return Issue(path, "unknown-key", f"unknown key '{key}'{inside}", hint, True)
        if kind == "missing":
            missing, parent = path[-1], path[:-1]
            inside = f" in {dotted(parent)}" if parent else ""
            return Issue(parent, "schema", f"missing required key '{missing}'{inside}")
        node = self._node(path)
        if kind == "literal_error":
            options = node.get("enum") or ([node["const"]] if "const" in node else [])
            expected = " or ".join(f"'{o}'" for o in options)
            hint = (
                did_you_mean(value, [str(o) for o in options]) if isinstance(value, str) else None
            )
            return Issue(path, "enum", f"{where} must be {expected}, not {describe(value)}", hint)
        if (
            kind == "null"
            or kind.endswith("_type")
            or kind in ("int_from_float", "dict_attributes_type")
        ):
            words = [TYPE_WORDS[t] for t in self._types(node) if t in TYPE_WORDS and t != "null"]
            expected = " or ".join(dict.fromkeys(words)) or "a valid value"
            return Issue(path, "schema", f"{where} must be {expected}, not {describe(value)}")
        if kind in _BOUNDS:
            word, limit = _BOUNDS[kind]
            return Issue(path, "schema", f"{where}: {describe(value)} {word} {ctx[limit]}")
        if kind == "finite_number":
            return Issue(path, "schema", f"{where} must be a finite number, not {describe(value)}")
        if kind in ("too_short", "string_too_short"):
            least = ctx.get("min_length", 1)
            if least == 1:
                return Issue(path, "schema", f"{where} must not be empty")
            return Issue(path, "schema", f"{where} needs at least {least} items")
        if kind in ("too_long", "string_too_long"):
            unit = "characters" if kind == "string_too_long" else "items"
            return Issue(path, "schema", f"{where} has more than {ctx['max_length']} {unit}")
        if kind == "string_pattern_mismatch":
            if error.key:
                mapping = dotted(path[:-1])
                message = f"{mapping}: key '{path[-1]}' does not match the pattern {ctx['pattern']}"
                return Issue(
                    path, "schema", message, self._node(path[:-1]).get("description"), True
                )
            message = f"{where}: {describe(value)} does not match the pattern {ctx['pattern']}"
            return Issue(path, "schema", message, node.get("description"))
        if kind == "date_time":
            message = (
                f"{where}: {describe(value)} is not an RFC 3339 date-time with a zone "
                "(e.g. 2026-11-28T06:00:00Z)"
            )
            return Issue(path, "schema", message, DATE_TIME_HINT)
        if kind == "one_of":
            return Issue(path, "schema", f"{where} {error.error['msg']}")
        if kind == "window" and isinstance(value, dict):
            return Issue(
                (*path, "before"),
                "time-window",
                f"time window is empty: 'before' ({value.get('before')}) is not later than "
                f"'after' ({value.get('after')})",
                "the window is half-open: after <= executionTime < before",
            )
        return Issue(path, "schema", f"{where}: {error.error['msg']}")


_BOUNDS = {
    "less_than_equal": ("is greater than the maximum of", "le"),
    "greater_than_equal": ("is less than the minimum of", "ge"),
    "greater_than": ("is less than or equal to the minimum of", "gt"),
    "less_than": ("is greater than or equal to the maximum of", "lt"),
}


def _contains(value: Any, part: Any) -> bool:
    if isinstance(part, int):
        return isinstance(value, list) and 0 <= part < len(value)
    return isinstance(value, dict) and part in value
