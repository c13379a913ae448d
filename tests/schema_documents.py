"""Hypothesis strategies that build documents from a JSON Schema (the draft-07 subset the
exported schemas use), mostly valid, with hostile values mixed in at any node."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, -1, 2**31, 2**63, -(2**63) - 1, 10**30, 50.0, 1.5, float("inf")]),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["", " ", "\x07", "\u202e", "\ufeff", "é", "💥", "a\r\nb", "*" * 40]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


class Builder:
    def __init__(self, schema: dict[str, Any], hostile: st.SearchStrategy[Any] = HOSTILE) -> None:
        self.definitions = schema.get("definitions", {})
        self.hostile = hostile
        self.root = schema

    def documents(self) -> st.SearchStrategy[Any]:
        return self.node(self.root)

    def node(self, node: dict[str, Any]) -> st.SearchStrategy[Any]:
        valid = st.deferred(lambda: self._valid(node))
        # one value in ten is hostile: documents come out valid and invalid
        return st.integers(0, 9).flatmap(lambda n: self.hostile if n == 0 else valid)

    def _deref(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self.definitions[node["$ref"].rsplit("/", 1)[-1]]
        if "allOf" in node and len(node["allOf"]) == 1:
            rest = {k: v for k, v in node.items() if k != "allOf"}
            node = {**self._deref(node["allOf"][0]), **rest}
        return node

    def _valid(self, node: dict[str, Any]) -> st.SearchStrategy[Any]:
        node = self._deref(node)
        if "const" in node:
            return st.just(node["const"])
        if "enum" in node:
            return st.sampled_from(node["enum"])
        for key in ("anyOf", "oneOf"):
            branches = node.get(key)
            if branches and all("required" not in b for b in branches):
                return st.one_of([self._valid(b) for b in branches])
        kind = node.get("type", "object" if "properties" in node else None)
        if kind == "object":
            return self._object(node)
        if kind == "array":
            least = node.get("minItems", 0)
            return st.lists(self.node(node.get("items", {})), min_size=least, max_size=least + 2)
        if kind == "string":
            if "pattern" in node:
                return st.from_regex(node["pattern"], fullmatch=True)
            if node.get("format") == "date-time":
                return st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
            least = node.get("minLength", 0)
            return st.text(min_size=least, max_size=max(least, node.get("maxLength", 20)))
        if kind == "integer":
            return st.integers(node.get("minimum"), node.get("maximum"))
        if kind == "number":
            low = node.get("exclusiveMinimum", node.get("minimum"))
            return st.floats(low, node.get("maximum"), exclude_min="exclusiveMinimum" in node)
        if kind == "boolean":
            return st.booleans()
        return self.hostile

    def _object(self, node: dict[str, Any]) -> st.SearchStrategy[Any]:
        properties = node.get("properties", {})
        if not properties and isinstance(node.get("additionalProperties"), dict):
            names = node.get("propertyNames", {}).get("pattern")
            keys = st.from_regex(names, fullmatch=True) if names else st.text(max_size=8)
            return st.dictionaries(keys, self.node(node["additionalProperties"]), max_size=3)
        required = set(node.get("required", ()))
        return st.fixed_dictionaries(
            {k: self.node(v) for k, v in properties.items() if k in required},
            optional={k: self.node(v) for k, v in properties.items() if k not in required},
        )
