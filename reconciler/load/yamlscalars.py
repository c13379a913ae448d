"""Plain YAML 1.2 scalars to values, by their resolved tag: int (with 0b/0o/0x forms
and `_` separators), float (`.inf`, `.nan`), bool and null in their YAML 1.2 spellings;
timestamps and everything else stay text. Nothing is constructed from other tags."""

from __future__ import annotations

import math
import re
from typing import Any

from ruamel.yaml.nodes import Node

TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (TAG + t for t in ("str", "int", "float", "bool", "null"))
# `value` is what ruamel's resolver calls a plain `=`: text for us.
TEXT_TAGS = frozenset((STR, TAG + "timestamp", TAG + "value"))
SCALAR_TAGS = TEXT_TAGS | {INT, FLOAT, BOOL, NULL}
MERGE = TAG + "merge"
COLLECTION_TAGS = frozenset((TAG + "map", TAG + "seq"))
BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
NULLS = frozenset(("", "~", "null", "Null", "NULL"))
SURROGATE = re.compile("[\ud800-\udfff]")
INT_FORM = re.compile(r"[-+]?(0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9_]+)\Z")


class TooLong(ValueError):
    """An integer with more digits than Python reads."""


def _integer(text: str) -> int:
    if not INT_FORM.match(text):
        raise ValueError(text)
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2].lower(), 10)
    try:
        return sign * int(digits[2:] if base != 10 else digits, base)
    except ValueError:
        if base == 10 and digits.isdigit():
            raise TooLong(f"{len(digits)}") from None
        raise


def _float(text: str) -> float:
    lower = text.replace("_", "").lower()
    if lower.lstrip("+-") == ".inf":
        return -math.inf if lower.startswith("-") else math.inf
    if lower == ".nan":
        return math.nan
    return float(lower)


def scalar_value(tag: str, text: str) -> Any:
    """A scalar with a plain-data tag -> its value. What does not read as its tag stays
    text (the schema then says what was expected)."""
    if tag in TEXT_TAGS:
        return text
    try:
        if tag == INT:
            return _integer(text)
        if tag == FLOAT:
            return _float(text)
    except TooLong:
        raise
    except ValueError:
        return text
    if tag == BOOL:
        return BOOLS.get(text, text)
    if tag == NULL:
        return None if text in NULLS else text
    return text


def tag_of(node: Node) -> str:
    """The node's tag as text. A resolved tag is a bare suffix; `node.tag` would decode
    it (%-escapes) again for every node."""
    ctag = node.ctag
    return ctag.suffix if ctag.handle is None else str(ctag)


def shown_tag(tag: str) -> str:
    return "!!" + tag[len(TAG) :] if tag.startswith(TAG) else tag
