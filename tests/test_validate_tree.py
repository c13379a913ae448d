"""Whole trees: many mistakes in one run, the examples, schemas vs examples, the cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reconciler.load.tree import load_tree
from reconciler.load.yamlsafe import load_text
from tests.conftest import REPO
from tests.flowfiles import write_flow
from tests.validate_helpers import FLOW, REQUEST, found, validate

MISTAKES: dict[str, str | bytes] = {
    "reconciler.yaml": "apiVersion: reconciler/v1\nkind: Config\nnetwork:\n  allow: ['https://x']\n",
    "flows.d/A/one.yaml": """\
        apiVersion: reconciler/v1
        kind: Flow
        name: Orders
        nmae: typo
        mappings:
          - workflowName: la-orders
        resubmit:
          url: http://user:pw@example.com/x#frag
          headers:
            - name: x team
              value: a
            - name: X-Team
              value: b
            - name: x-team
              value: "line\\nbreak"
            - name: Content-Length
              value: "1"
            - name: x-api-key
              value: literal
        dispatch:
          batchSize: many
        """,
    "flows.d/A/two.yaml": """\
        apiVersion: reconciler/v1
        kind: Flw
        name: orders
        mappings:
          - workflowName: x
        resume:
          url: https://10.1.2.3/resume
          headers:
            - name: x-big
              value: XBIG
        """.replace("XBIG", "b" * 9000),
    "flows.d/B/three.yaml": "apiVersion: reconciler/v1\nkind: Flow\nname: A\nname: B\n",
    "flows.d/B/four.yaml": "apiVersion: reconciler/v1\nkind: Flow\nname: [broken\n",
    "flows.d/B/five.yaml": "",
    "requests.d/r1.yaml": """\
        apiVersion: reconciler/v1
        kind: ResubmitRequest
        name: dup
        reason: x
        action: resume
        flows: [Orders, Nope]
        select:
          executed: {after: 2026-11-28T06:00:00Z, before: 2026-11-27T00:00:00Z}
          properties:
            - {name: A, op: regex, value: "("}
        """,
    "requests.d/r2.yaml": REQUEST.replace("2026-11-28-outage", "dup").replace(
        "flows: [Orders]", "flows: [Orders]\nwhen: now"
    ),
}


def test_twenty_different_mistakes_across_files_in_one_run(tmp_path: Path) -> None:
    result = found(validate(tmp_path, MISTAKES))
    rules = {rule for _, _, _, rule, _ in result}
    assert rules >= {
        "config-network-allow",
        "unknown-key",
        "url-scheme",
        "url-userinfo",
        "url-fragment",
        "header-name",
        "header-duplicate",
        "header-value",
        "header-reserved",
        "header-literal-secret",
        "schema",
        "enum",
        "duplicate-flow-name",
        "url-private-address",
        "header-value-size",
        "yaml-duplicate-key",
        "yaml-syntax",
        "empty-file",
        "unknown-flow",
        "flow-without-endpoint",
        "time-window",
        "invalid-regex",
        "duplicate-request-name",
    }
    assert len(rules) >= 20
    files = {path for path, *_ in result}
    assert files == set(MISTAKES)
    assert result == sorted(result, key=lambda f: (f[0], f[1], f[2], f[3], f[4]))
    assert all(line >= 1 and col >= 1 for _, line, col, _, _ in result)
    assert ("requests.d/r1.yaml", 6, 9, "flow-without-endpoint") in {r[:4] for r in result}
    assert ("flows.d/A/one.yaml", 14, 13, "header-duplicate") in {r[:4] for r in result}


def test_load_tree_models_and_interface(tmp_path: Path) -> None:
    tree = validate(
        tmp_path,
        {
            "flows.d/Sales/EU/orders.yaml": FLOW,
            "flows.d/top.yaml": FLOW.replace("Orders", "Top"),
            "requests.d/r.yaml": REQUEST,
        },
    )
    assert tree.valid and tree.findings == []
    assert sorted((f.path, f.folder, f.flow.name) for f in tree.flows) == [
        ("flows.d/Sales/EU/orders.yaml", "Sales/EU", "Orders"),
        ("flows.d/top.yaml", "", "Top"),
    ]
    assert [r.request.name for r in tree.requests] == ["2026-11-28-outage"]
    assert tree.requests[0].content_hash.startswith("sha256:")
    # The same models come back from the cache (kept as the models' JSON).
    cold = load_tree(tmp_path, use_cache=True, jobs=1)
    warm = load_tree(tmp_path, use_cache=True, jobs=1)
    assert warm.cached == warm.files == 3 and cold.cached == 0
    assert [f.flow for f in warm.flows] == [f.flow for f in cold.flows]
    assert [r.content_hash for r in warm.requests] == [r.content_hash for r in cold.requests]


def test_a_flow_breaking_a_rule_still_loads_but_the_tree_is_invalid(tmp_path: Path) -> None:
    tree = validate(
        tmp_path,
        {"flows.d/a.yaml": FLOW.replace("https://integration.example.com", "https://10.0.0.1")},
    )
    assert not tree.valid
    assert [f.flow.name for f in tree.flows] == ["Orders"]
    broken = validate(tmp_path, {"flows.d/a.yaml": FLOW + "extra: 1\n"})
    assert not broken.valid and broken.flows == []


def test_process_pool_gives_the_same_findings_as_one_process(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {}
    for i in range(320):
        text = FLOW.replace("name: Orders", f"name: Flow {i}")
        if i % 40 == 0:
            text = text.replace("kind: Flow", "kind: Flow\nnmae: x")
        files[f"flows.d/F{i % 7}/f{i}.yaml"] = text
    serial = validate(tmp_path, files)
    parallel = load_tree(tmp_path, use_cache=False, jobs=2)
    assert len(serial.findings) == 8
    assert serial.findings == parallel.findings
    assert [f.flow for f in serial.flows] == [f.flow for f in parallel.flows]


def _examples() -> list[Path]:
    return sorted([*(REPO / "flows.d").rglob("*.yaml"), *(REPO / "requests.d").rglob("*.yaml")])


def test_examples_validate_and_cover_the_brief() -> None:
    tree = load_tree(REPO, use_cache=False, jobs=1)
    assert tree.valid, tree.findings
    flows = {f.flow.name: f for f in tree.flows}
    assert len(flows) >= 6 and len({f.folder.split("/")[0] for f in tree.flows}) >= 3
    assert any(
        h.valueFrom
        for f in flows.values()
        for e in (f.flow.resubmit, f.flow.resume)
        if e
        for h in e.headers
    )
    assert any(f.flow.resume and not f.flow.resubmit for f in flows.values())
    assert any(f.flow.display for f in flows.values())
    assert {r.request.action for r in tree.requests} == {"resubmit", "resume"}


@pytest.mark.parametrize("jobs", [1, 2])
def test_loaded_flows_carry_their_canonical_spec_fresh_and_from_the_cache(
    tmp_path: Path, jobs: int
) -> None:
    """The validator hands each flow over with the text apply stores: it must be exactly
    flow_spec(model) of the file's data, whether made now (in workers or not) or cached."""
    import shutil

    from reconciler.core.plan import flow_spec
    from reconciler.load.yamlsafe import load_text as load_yaml
    from reconciler.models import Flow
    from tests.flowfiles import write_flows

    shutil.copytree(REPO / "flows.d", tmp_path / "flows.d")
    write_flows(tmp_path, 300 if jobs > 1 else 3)  # 300: enough for the worker processes
    for round_ in ("fresh", "cached"):
        tree = load_tree(tmp_path, jobs=jobs)
        assert tree.valid and tree.flows, tree.findings
        assert tree.cached == (len(tree.flows) if round_ == "cached" else 0)
        for item in tree.flows:
            data = load_yaml((tmp_path / item.path).read_bytes()).data
            assert item.spec == flow_spec(Flow.model_validate(data)) == flow_spec(item.flow)


@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.name)
def test_the_committed_schemas_accept_the_examples(path: Path) -> None:
    name = "flow.schema.json" if "flows.d" in path.parts else "request.schema.json"
    schema = json.loads((REPO / "schemas" / name).read_text())
    data = load_text(path.read_bytes()).data
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    assert list(validator.iter_errors(data)) == []


def test_the_committed_schemas_reject_what_validate_rejects() -> None:
    schema = json.loads((REPO / "schemas" / "flow.schema.json").read_text())
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    data: Any = load_text(FLOW.encode()).data
    data["resubmit"]["url"] = "https://exa mple.com/x"  # not a URL
    assert [e.validator for e in validator.iter_errors(data)] == ["pattern"]
    data["resubmit"]["url"] = "https://bücher.example/x"  # an international name is one
    assert list(validator.iter_errors(data)) == []


@pytest.mark.parametrize("spelled", ["./flows.d/team/orders.yaml", "flows.d//team/orders.yaml"])
def test_a_path_given_as_typed_is_the_same_file_as_in_the_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelled: str
) -> None:
    write_flow(tmp_path, "Orders", folder="team")
    write_flow(tmp_path, "Invoices")
    monkeypatch.chdir(tmp_path)
    tree = load_tree(Path("."), [spelled])
    assert tree.files == 1
    assert tree.findings == []  # not also a second "Orders" (a duplicate name)


def test_an_international_host_is_accepted_and_kept_in_its_idna_form(tmp_path: Path) -> None:
    text = FLOW.replace("integration.example.com/orders/resubmit", "bücher.example:8443/r?x=ü")
    tree = validate(tmp_path, {"flows.d/a.yaml": text})
    assert tree.findings == []
    (item,) = tree.flows
    assert item.flow.resubmit is not None
    assert item.flow.resubmit.url == "https://xn--bcher-kva.example:8443/r?x=ü"
    assert item.url_at == {"resubmit": (7, 8), "resume": (12, 8)}


def test_a_host_idna_refuses_is_a_finding(tmp_path: Path) -> None:
    text = FLOW.replace("integration.example.com/orders/resubmit", "bad€host.example/x")
    assert found(validate(tmp_path, {"flows.d/a.yaml": text})) == [
        (
            "flows.d/a.yaml",
            7,
            8,
            "url-host",
            "URL host 'bad€host.example' is not a valid international domain name: "
            "Codepoint U+20AC at position 4 of 'bad€host' not allowed",
        )
    ]
