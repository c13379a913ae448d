"""The compiled fast path (fastjsonschema) and jsonschema agree on every document: the fast
path may only skip jsonschema for documents jsonschema accepts, and formats stay real."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.schema import SchemaChecker
from reconciler.errors import InternalError
from reconciler.load.validate_file import CONFIG, FLOW, REQUEST, check_document, checker
from tests.test_validate_fuzz import FUZZ, VALID, VALUES, _paths, mutated


def _fast_accepts(kind: str, doc: Any) -> bool:
    try:
        checker(kind).fast(doc)
    except Exception:  # any rejection
        return False
    return True


def _jsonschema_accepts(kind: str, doc: Any) -> bool:
    return next(iter(checker(kind).validator.iter_errors(doc)), None) is None


def _agree(kind: str, doc: Any) -> None:
    before = json.dumps(doc, sort_keys=True, default=repr)
    assert _fast_accepts(kind, doc) == _jsonschema_accepts(kind, doc), json.dumps(doc)[:400]
    assert json.dumps(doc, sort_keys=True, default=repr) == before  # no defaults filled in


# Near misses for the formats in use (uri, date-time) and the patterns.
STRINGS = st.sampled_from(
    [
        "https://a.example.com/x",
        "https:/a",
        "https://",
        "a.example.com/x",
        "https://a b.example.com",
        "https://[::1]/x",
        "//a.example.com",
        "urn:x",
        "2026-11-28T06:00:00Z",
        "2026-11-28T06:00:00",
        "2026-11-28T06:00:00+01:00",
        "2026-11-28t06:00:00z",
        "2026-11-28 06:00:00Z",
        "2026-02-30T06:00:00Z",
        "2026-11-28T24:00:00Z",
        "2026-11-28T06:00:00.123456Z",
        "-1 day",
        "",
        "x",
        "X_1",
        "1.0",
    ]
)


@st.composite
def near_misses(draw: st.DrawFn) -> tuple[str, Any]:
    kind = draw(st.sampled_from([FLOW, REQUEST]))
    doc = copy.deepcopy(VALID[kind])
    leaves = [p for p in _paths(doc) if p and isinstance(_get(doc, p), (str, int, float))]
    for _ in range(draw(st.integers(min_value=1, max_value=2))):
        path = draw(st.sampled_from(leaves))
        parent = _get(doc, path[:-1])
        parent[path[-1]] = draw(st.one_of(STRINGS, st.sampled_from([0, 1, 1.0, 1.5, -1, 1001])))
    return kind, doc


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


@FUZZ
@given(mutated())
def test_fast_path_agrees_on_mutated_documents(case: tuple[str, Any]) -> None:
    _agree(*case)


@FUZZ
@given(near_misses())
def test_fast_path_agrees_on_format_and_range_near_misses(case: tuple[str, Any]) -> None:
    _agree(*case)


@FUZZ
@given(st.sampled_from([FLOW, REQUEST, CONFIG]), VALUES)
def test_fast_path_agrees_on_arbitrary_values(kind: str, doc: Any) -> None:
    _agree(kind, doc)


def test_valid_documents_take_the_fast_path() -> None:
    for kind, doc in VALID.items():
        assert _fast_accepts(kind, doc) and _jsonschema_accepts(kind, doc)


def test_formats_are_enforced_on_the_fast_path() -> None:
    flow = copy.deepcopy(VALID[FLOW])
    flow["resubmit"]["url"] = "not a uri"
    assert not _fast_accepts(FLOW, flow)
    request = copy.deepcopy(VALID[REQUEST])
    request["select"]["executed"]["after"] = "2026-11-28T06:00:00"  # no zone
    assert not _fast_accepts(REQUEST, request)
    # ... and the message still comes from jsonschema, with its position.
    raw = json.dumps(request, indent=2).encode()
    findings = check_document(raw, REQUEST).findings
    assert any(f[2] == "schema" and "RFC 3339" in f[3] and f[0] > 1 for f in findings), findings


def test_an_unknown_format_still_fails_loudly() -> None:
    # fastjsonschema alone would pass an unknown format silently; the guard stops it first.
    with pytest.raises(InternalError, match="cannot be checked"):
        SchemaChecker({"type": "string", "format": "no-such-format"})


def test_the_fast_path_is_compiled_only_once_enough_documents_are_checked() -> None:
    """One changed file (a PR, a new request at dispatch) is checked by jsonschema alone;
    from FAST_PATH_AFTER documents on the compiled path joins, with the same verdicts."""
    from reconciler.core.schema import FAST_PATH_AFTER
    from reconciler.schemas import build_schema

    fresh = SchemaChecker(build_schema("flow.schema.json"))
    valid = copy.deepcopy(VALID[FLOW])
    invalid = {**copy.deepcopy(VALID[FLOW]), "name": 5}
    early = [fresh.issues(valid), fresh.issues(invalid)]
    assert "fast" not in vars(fresh)  # nothing compiled for a couple of documents
    for _ in range(FAST_PATH_AFTER):
        fresh.issues(valid)
    late = [fresh.issues(valid), fresh.issues(invalid)]
    assert "fast" in vars(fresh)
    assert early == late and early[0] == [] and early[1]
