"""Property-based fuzzing of the loader and the rules: never an unhandled exception, and a
document we call valid is one the committed JSON Schema accepts too (jsonschema, with
format checks, as the oracle); every finding has a position inside the file."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.load.validate_file import FLOW, REQUEST, check_document
from reconciler.load.yamlsafe import load_text
from reconciler.models import Flow, Request
from tests.conftest import REPO
from tests.validate_helpers import FLOW as FLOW_TEXT
from tests.validate_helpers import REQUEST as REQUEST_TEXT

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _positions_ok(raw: bytes, findings: list[Any]) -> None:
    lines = len(raw.decode("utf-8", errors="replace").splitlines()) + 2  # YAML knows CR, NEL...
    for line, col, rule, message, severity, _hint in findings:
        assert 1 <= line <= lines, (line, rule, message)
        assert col >= 1 and rule and message and severity in ("error", "warning")


ORACLES = {
    kind: jsonschema.Draft7Validator(
        json.loads((REPO / "schemas" / f"{kind}.schema.json").read_text()),
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )
    for kind in (FLOW, REQUEST)
}


def _oracle(kind: str, raw: bytes) -> None:
    result = check_document(raw, kind)
    _positions_ok(raw, result.findings)
    if not result.findings:
        # Called valid: it is a model, and the schema the editor uses agrees.
        assert result.model_json is not None
        (Flow if kind == FLOW else Request).model_validate_json(result.model_json)
        assert list(ORACLES[kind].iter_errors(load_text(raw).data)) == []


YAML_PIECES = st.sampled_from(
    [
        "apiVersion: reconciler/v1\n",
        "kind: Flow\n",
        "name: ",
        "mappings:\n",
        "  - ",
        "- ",
        "workflowName: x\n",
        "resubmit:\n",
        "  url: ",
        "https://a.example.com/x",
        "http://10.0.0.1",
        "  headers:\n",
        "    - name: ",
        "value: ",
        "valueFrom: {env: K}\n",
        "&a ",
        "*a",
        "<<: ",
        "!!str ",
        "!!int ",
        "!!binary ",
        "? ",
        ": ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "'",
        '"',
        "#",
        "\n",
        "  ",
        "\t",
        "---\n",
        "...\n",
        "~",
        "null",
        "true",
        "1e3",
        "0x1F",
        ".inf",
        "|\n",
        ">-\n",
        "\ufeff",
        "\x00",
        "\x85",
        "é",
        "x-api-key",
        "Authorization",
        "\r\n",
    ]
)


@FUZZ
@given(st.lists(YAML_PIECES, max_size=40).map("".join), st.sampled_from([FLOW, REQUEST]))
def test_fuzz_yaml_like_text(text: str, kind: str) -> None:
    _oracle(kind, text.encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(st.binary(max_size=300), st.sampled_from([FLOW, REQUEST]))
def test_fuzz_bytes(raw: bytes, kind: str) -> None:
    _oracle(kind, raw)


@FUZZ
@given(st.text(max_size=300), st.sampled_from([FLOW, REQUEST]))
def test_fuzz_text(text: str, kind: str) -> None:
    _oracle(kind, text.encode("utf-8", errors="surrogatepass"))


def _valid_documents() -> dict[str, Any]:
    flow = load_text(FLOW_TEXT.encode()).data
    flow["dispatch"] = {"batchSize": 10, "signingSecretFrom": {"env": "S"}}
    flow["display"] = {"milestones": True}
    flow["properties"] = [{"name": "OrderId"}]
    request = load_text(REQUEST_TEXT.encode()).data
    request["select"]["properties"] = [{"name": "A", "op": "regex", "value": "^x"}]
    request["select"]["domain"] = {"contains": "Sal"}
    return {FLOW: flow, REQUEST: request}


VALID = _valid_documents()
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["", "https://10.0.0.1/x", "http://a.example.com", "Flow", "2026-01-01"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(_paths(value, (*prefix, index)))
    return out


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    kind = draw(st.sampled_from([FLOW, REQUEST]))
    doc = copy.deepcopy(VALID[kind])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(_paths(doc)))
        if not path:
            continue
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["set", "delete", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(VALUES)
        else:
            parent[path[-1]] = draw(VALUES)
    return kind, doc


@FUZZ
@given(mutated(), st.booleans())
def test_fuzz_structurally_valid_but_wrong_documents(case: tuple[str, Any], pretty: bool) -> None:
    kind, doc = case
    # JSON is YAML: the document as flow-style YAML, on one line or indented.
    raw = json.dumps(doc, indent=2 if pretty else None, ensure_ascii=False).encode()
    _oracle(kind, raw)


def test_the_unmutated_documents_are_valid() -> None:
    for kind, doc in VALID.items():
        assert check_document(json.dumps(doc).encode(), kind).findings == []
