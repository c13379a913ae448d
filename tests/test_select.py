from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from reconciler.core.regex import re2_pattern, regex_problem
from reconciler.core.select import compile_selection, for_action
from reconciler.core.statuses import StatusTable
from reconciler.errors import InputError
from reconciler.models import Mapping, Selection
from reconciler.store import Store, open_store
from reconciler.store.runimport import import_runs
from reconciler.store.runs import (
    ALL_RUNS,
    FlowSource,
    count_by_status,
    fetch_records,
    flow_source,
    ledger_problem,
    select_runs,
)
from tests.runs_helpers import add_flow, add_ledger, record, write_ndjson

TABLE = StatusTable.default()

RUNS = [
    record(
        "a",
        statusId=2,
        executionTime="2026-11-27T21:59:59.999Z",
        chainId="c1",
        workflowName="la-orders",
        properties={"Domain": "Sales", "Service": "Orders", "Country": "BE", "OrderId": "A-1234"},
    ),
    record(
        "b",
        statusId=5,
        executionTime="2026-11-27T22:00:00.000Z",
        chainId="c2",
        workflowName="la-orders",
        properties={"Domain": "Sales", "Service": "Orders", "Country": "NL", "OrderId": "A-1235"},
    ),
    record(
        "c",
        statusId=1,
        executionTime="2026-11-28T07:59:59.999+02:00",
        chainId="c1",
        workflowName="la-orders",
        properties={"Domain": "HR", "Service": "People", "Country": "BE-x"},
    ),
    record(
        "d",
        statusId=0,
        executionTime="2026-11-28T06:00:00Z",
        chainId="c3",
        workflowName="la-orders",
        properties={"Domain": "HR", "Service": "People"},
    ),
    record(
        "e",
        statusId=3,
        executionTime=None,
        chainId="c4",
        workflowName="la-orders",
        properties={"Domain": "Ops", "Country": 12, "Flag": True},
    ),
    record(
        "f",
        statusId=2,
        executionTime="2026-11-27T23:00:00Z",
        chainId="c5",
        workflowName="la-other",
        properties={"Domain": "Sales"},
    ),
]

WINDOW = {"after": "2026-11-27T22:00:00Z", "before": "2026-11-28T06:00:00Z"}

# (filter, expected ids among the flow's runs a..e); f is in another flow.
CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("nothing", {}, ["a", "b", "c", "d", "e"]),
    ("status group", {"status": ["Error"]}, ["a", "b"]),
    ("status name + int", {"status": ["failed", 1]}, ["a", "c"]),
    ("status int as text", {"status": ["3"]}, ["e"]),
    ("window", {"executed": WINDOW}, ["b", "c"]),
    (
        "window in +02:00",
        {"executed": {"after": "2026-11-28T00:00:00+02:00", "before": "2026-11-28T08:00:00+02:00"}},
        ["b", "c"],
    ),
    (
        "window edge is half-open",
        {"executed": {"after": "2026-11-27T21:59:59.999Z", "before": "2026-11-27T22:00:00Z"}},
        ["a"],
    ),
    ("window after only", {"executed": {"after": "2026-11-28T06:00:00Z"}}, ["d"]),
    ("window before only", {"executed": {"before": "2026-11-27T22:00:00.001Z"}}, ["a", "b"]),
    ("status + window", {"status": ["Error"], "executed": WINDOW}, ["b"]),
    ("chainIds", {"chainIds": ["c1", "nope"]}, ["a", "c"]),
    ("runIds by id and workFlowRunId", {"runIds": ["a", "wfr-d"]}, ["a", "d"]),
    ("workflows", {"workflows": ["la-orders"]}, ["a", "b", "c", "d", "e"]),
    ("workflows other flow", {"workflows": ["la-other"]}, []),
    ("domain exact", {"domain": "Sales"}, ["a", "b"]),
    ("domain exact is case-sensitive", {"domain": "sales"}, []),
    ("domain contains", {"domain": {"contains": "ale"}}, ["a", "b"]),
    ("service contains", {"service": {"contains": "eop"}}, ["c", "d"]),
    ("version exact", {"version": "1.0"}, ["a", "b", "c", "d", "e"]),
    ("action contains none", {"action": {"contains": "Nope"}}, []),
    ("prop equals", {"properties": [{"name": "Country", "op": "equals", "value": "BE"}]}, ["a"]),
    (
        "prop notEquals (missing counts)",
        {"properties": [{"name": "Country", "op": "notEquals", "value": "BE"}]},
        ["b", "c", "d", "e"],
    ),
    (
        "prop startsWith",
        {"properties": [{"name": "Country", "op": "startsWith", "value": "BE"}]},
        ["a", "c"],
    ),
    (
        "prop endsWith",
        {"properties": [{"name": "Country", "op": "endsWith", "value": "-x"}]},
        ["c"],
    ),
    (
        "prop contains",
        {"properties": [{"name": "OrderId", "op": "contains", "value": "123"}]},
        ["a", "b"],
    ),
    (
        "prop regex",
        {"properties": [{"name": "Country", "op": "regex", "value": "^(BE|NL)$"}]},
        ["a", "b"],
    ),
    (
        "prop regex class + bound",
        {"properties": [{"name": "OrderId", "op": "regex", "value": "^[A-Z]-\\d{3}5$"}]},
        ["b"],
    ),
    (
        "prop regex on a number",
        {"properties": [{"name": "Country", "op": "regex", "value": "^\\d+$"}]},
        ["e"],
    ),
    (
        "prop boolean as JSON text",
        {"properties": [{"name": "Flag", "op": "equals", "value": "true"}]},
        ["e"],
    ),
    (
        "props AND",
        {
            "properties": [
                {"name": "Country", "op": "startsWith", "value": "B"},
                {"name": "Domain", "op": "equals", "value": "HR"},
            ]
        },
        ["c"],
    ),
    ("search chainId", {"search": "c2"}, ["b"]),
    ("search DSAV", {"search": "eopl"}, ["c", "d"]),
    ("search not in other fields", {"search": "A-1234"}, []),
    (
        "everything ANDed",
        {
            "status": ["Error", "Completed"],
            "executed": WINDOW,
            "chainIds": ["c1", "c2"],
            "domain": {"contains": "a"},
            "search": "c",
        },
        ["b"],
    ),
]


def _seed(store: Store, tmp_path: Path) -> None:
    add_flow(store, "Orders", [{"workflowName": "la-orders"}])
    add_flow(store, "Other", [{"workflowName": "la-other"}])
    summary = import_runs(store, [str(write_ndjson(tmp_path / "runs.ndjson", RUNS))])
    assert summary.inserted == len(RUNS)


def _ids(store: Store, selection: dict[str, Any], source: FlowSource) -> list[str]:
    spec = compile_selection(Selection.model_validate(selection), TABLE)
    return [run.id for run in select_runs(store, spec, source)]


def test_every_filter_on_both_backends(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    _seed(store, tmp_path)
    indexed = flow_source(store, "Orders")
    adhoc = FlowSource(mappings=(Mapping(workflowName="la-orders"),))
    wrong = {}
    for name, selection, expected in CASES:
        for source in (indexed, adhoc):
            got = _ids(store, selection, source)
            if got != expected:
                wrong[f"{name} ({'indexed' if source.flow else 'ad hoc'})"] = got
        counts = count_by_status(
            store, compile_selection(Selection.model_validate(selection), TABLE), indexed
        )
        if sum(counts.values()) != len(expected):
            wrong[f"{name} (count)"] = counts
    assert wrong == {}
    # over all runs (runs list without --flow): f appears
    assert _ids(store, {"status": ["Error"]}, ALL_RUNS) == ["a", "b", "f"]
    assert _ids(store, {"workflows": ["la-other"]}, ALL_RUNS) == ["f"]
    store.close()


def test_yaml_timestamps_quoted_and_unquoted(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    _seed(store, tmp_path)
    yaml = YAML(typ="safe", pure=False)
    for text in (
        # (libyaml's C scanner refuses unquoted timestamps inside {flow} mappings)
        "executed:\n  after: 2026-11-27T22:00:00Z\n  before: 2026-11-28T06:00:00Z\n",
        "executed: {after: '2026-11-27T22:00:00Z', before: \"2026-11-28T06:00:00Z\"}",
        "executed:\n  after: 2026-11-27 23:00:00+01:00\n  before: 2026-11-28T01:00:00-05:00\n",
        "executed: {after: '2026-11-27T17:00:00-05:00', before: '2026-11-28T06:00:00.000+00:00'}",
    ):
        data = yaml.load(StringIO(text))
        assert _ids(store, data, flow_source(store, "Orders")) == ["b", "c"], text
    store.close()


def test_stable_order_paging_and_records(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    _seed(store, tmp_path)
    spec = compile_selection(Selection(), TABLE)
    source = flow_source(store, "Orders")
    everything = list(select_runs(store, spec, source))
    assert [r.id for r in everything] == ["a", "b", "c", "d", "e"]  # no executionTime: last
    pages = [
        [r.id for r in select_runs(store, spec, source, limit=2, offset=offset)]
        for offset in (0, 2, 4)
    ]
    assert pages == [["a", "b"], ["c", "d"], ["e"]]
    records = fetch_records(store, [everything[2].pk, everything[0].pk])
    assert records == [RUNS[2], RUNS[0]]
    store.close()


def test_pages_with_tied_and_missing_times_are_slices_of_the_whole_order(
    store_url: str, tmp_path: Path
) -> None:
    """A page looks up its last execution time first (Query.select): ties at the page's
    edge, runs without a time and short last pages must still cut the one stable order."""
    times = [f"2026-11-28T0{hour}:00:00.000Z" for hour in range(6)] + [None]
    lines = []
    for i in range(40):
        when = times[(i * 5) % 7]
        lines.append(
            record(
                f"run-{(i * 13) % 40:02d}",
                executionTime=when,
                statusId=(2, 5, 1)[i % 3],
                workflowName="la-orders",
            )
        )
    store = open_store(store_url)
    add_flow(store, "Orders", [{"workflowName": "la-orders"}])
    assert import_runs(store, [str(write_ndjson(tmp_path / "runs.ndjson", lines))]).inserted == 40
    source = flow_source(store, "Orders")
    for selection in ({}, {"status": ["Error"]}):
        spec = compile_selection(Selection.model_validate(selection), TABLE)
        whole = [(r.execution_us, r.id) for r in select_runs(store, spec, source)]
        assert whole == sorted(whole, key=lambda t: (t[0] is None, t[0] or 0, t[1]))
        for limit in (1, 3, 7, 13, 40, 50):
            for offset in range(0, len(whole) + 2, 5):
                page = [
                    (r.execution_us, r.id)
                    for r in select_runs(store, spec, source, limit=limit, offset=offset)
                ]
                assert page == whole[offset : offset + limit], (selection, limit, offset)
    store.close()


def test_from_request_uses_the_ledger(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    _seed(store, tmp_path)
    add_ledger(store, "2026-11-20-retry", "Orders", [("delivered", ["a"]), ("failed", ["b", "c"])])
    source = flow_source(store, "Orders")
    sel = {"fromRequest": {"name": "2026-11-20-retry", "outcome": "failed"}}
    assert _ids(store, sel, source) == ["b", "c"]
    assert _ids(store, {**sel, "status": ["Error"]}, source) == ["b"]
    assert _ids(store, {"fromRequest": {"name": "2026-11-20-retry"}}, source) == ["b", "c"]
    assert _ids(
        store, {"fromRequest": {"name": "2026-11-20-retry", "outcome": "delivered"}}, source
    ) == ["a"]
    assert _ids(store, {"fromRequest": {"name": "2026-11-20-retry", "outcome": "any"}}, source) == [
        "a",
        "b",
        "c",
    ]
    unknown = compile_selection(Selection.model_validate({"fromRequest": {"name": "nope"}}), TABLE)
    assert ledger_problem(store, unknown) == (
        "fromRequest: request 'nope' has no dispatch ledger in the store"
    )
    assert _ids(store, {"fromRequest": {"name": "nope"}}, source) == []
    store.close()


def test_resume_is_narrowed_to_the_error_group(sqlite_url: str, tmp_path: Path) -> None:
    store = open_store(sqlite_url)
    _seed(store, tmp_path)
    spec = compile_selection(Selection.model_validate({"chainIds": ["c1", "c2", "c3"]}), TABLE)
    split = for_action(spec, "resume", TABLE)
    assert [r.id for r in select_runs(store, split.send, flow_source(store, "Orders"))] == [
        "a",
        "b",
    ]
    assert split.excluded_reason == "resume applies only to runs in the Error group"
    assert for_action(spec, "resubmit", TABLE).send == spec
    narrowed = for_action(
        compile_selection(Selection(status=["Failed", "Completed"]), TABLE), "resume", TABLE
    )
    assert narrowed.send.status_ids == frozenset({2})


def test_unknown_flow_and_bad_status(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    with pytest.raises(InputError, match="flow 'Nope' is not in the store"):
        flow_source(store, "Nope")
    with pytest.raises(InputError, match=r"unknown status 'Faild' \(did you mean 'Failed'\?\)"):
        compile_selection(Selection(status=["Faild"]), TABLE)


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("(?=x)", "column 1: '(?' constructs"),
        ("a\\bc", "column 2: escape \\b is not in the portable subset"),
        ("[[:alpha:]]", "column 2: POSIX classes"),
        ("(ab", "'(' is not closed"),
        ("a)", "column 2: unbalanced ')'"),
        ("*a", "column 1: quantifier '*' has nothing to repeat"),
        ("a{2", "column 2: '{' must start a bound"),
        ("a{3,1}", "bad bound"),
        ("a**", "column 3: a quantifier cannot follow a quantifier"),
        ("\\1", "escape \\1"),
        ("[a", "'[' is not closed"),
    ],
)
def test_regex_outside_the_subset_is_refused(pattern: str, problem: str) -> None:
    found = regex_problem(pattern)
    assert found is not None and problem in found
    with pytest.raises(InputError, match="regex"):
        compile_selection(
            Selection.model_validate(
                {"properties": [{"name": "X", "op": "regex", "value": pattern}]}
            ),
            TABLE,
        )


def test_regex_translation() -> None:
    assert re2_pattern("^a.b$") == "^a.b\\z"
    assert re2_pattern("[]a-]x{2,}?") == "[\\]a\\-]x{2,}?"
    assert regex_problem("^(A|B)[0-9]+\\.\\d*(x|y)?$") is None


def test_regex_same_answers_on_both_backends(store_url: str, tmp_path: Path) -> None:
    """Subset patterns whose Python and PostgreSQL readings could drift apart."""
    values = ["ab\n", "a\nb", "A-1", "a.b", "axb", "]x", "ab", ""]
    lines = [record(f"v{i}", properties={"V": v}) for i, v in enumerate(values)]
    store = open_store(store_url)
    import_runs(store, [str(write_ndjson(tmp_path / "v.ndjson", lines))])
    expected = {
        "^ab$": ["ab"],
        "a.b": ["a\nb", "a.b", "axb"],
        "a\\.b": ["a.b"],
        "^[]a]": ["ab\n", "a\nb", "a.b", "axb", "]x", "ab"],
        "^\\w-\\d$": ["A-1"],
        "b\\n$": ["ab\n"],
        "^$": [""],
        "\\s": ["ab\n", "a\nb"],
    }
    got = {}
    for pattern in expected:
        spec = compile_selection(
            Selection.model_validate(
                {"properties": [{"name": "V", "op": "regex", "value": pattern}]}
            ),
            TABLE,
        )
        got[pattern] = sorted(
            (values[int(r.id[1:])] for r in select_runs(store, spec)), key=values.index
        )
    assert got == expected
    store.close()


def test_a_backtracking_pattern_answers_at_once_on_both_backends(
    store_url: str, tmp_path: Path
) -> None:
    """`(a|a)*b` against forty a's takes a backtracking engine 2^40 steps; both stores
    answer in linear time."""
    lines = [record("long", properties={"V": "a" * 40}), record("hit", properties={"V": "aab"})]
    store = open_store(store_url)
    import_runs(store, [str(write_ndjson(tmp_path / "v.ndjson", lines))])
    spec = compile_selection(
        Selection.model_validate(
            {"properties": [{"name": "V", "op": "regex", "value": "^(a|a)*b$"}]}
        ),
        TABLE,
    )
    assert [r.id for r in select_runs(store, spec)] == ["hit"]
    store.close()


_ATOMS = st.sampled_from(["a", "b", "-", ".", "\\d", "\\w", "\\S", "\\.", "\\-", "\\]", "é", "9"])


@st.composite
def _patterns(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.integers(0, 3 if depth < 3 else 2))
        if kind == 0:
            part = draw(_ATOMS)
        elif kind == 1:
            inner = draw(
                st.lists(
                    st.sampled_from(["a", "z", "-", "0", "9", "]", "^", "\\d", "\\-", "!", "["]),
                    max_size=5,
                )
            )
            part = "[" + "".join(inner) + "]"
        elif kind == 2:
            part = draw(st.sampled_from(["^", "$", "|"]))
        else:
            part = (
                "(" + "|".join(draw(st.lists(_patterns(depth + 1), min_size=1, max_size=3))) + ")"
            )
        bound = draw(st.integers(0, 255))
        part += draw(
            st.sampled_from(
                ["", "", "*", "+", "?", "*?", f"{{{bound}}}", f"{{{bound},}}", f"{{1,{bound}}}"]
            )
        )
        parts.append(part)
    return "".join(parts) * draw(st.sampled_from([1, 1, 1, 2, 50]))


def test_every_accepted_pattern_compiles_and_agrees_on_both_engines(pg_url: str) -> None:
    """What the subset accepts, PostgreSQL `~` and RE2 (SQLite's REGEXP) both compile and
    answer alike; what either refuses, the subset refuses first."""
    import psycopg
    import re2

    options = re2.Options()
    options.dot_nl = True
    values = ["", "a", "ab", "a-b", "]", "ab\n", "aaa", "b.c", "9é", "zz-", "[a]"]
    with psycopg.connect(pg_url, autocommit=True) as conn:

        def postgres_refuses(pattern: str) -> bool:
            try:
                conn.execute("SELECT '' ~ %s", (pattern,))
            except psycopg.Error:
                return True
            return False

        @settings(max_examples=400, deadline=None, database=None)
        @given(_patterns())
        def check(pattern: str) -> None:
            problem = regex_problem(pattern)
            if problem is not None:
                return
            assert not postgres_refuses(pattern), pattern
            compiled = re2.compile(re2_pattern(pattern), options)
            answers = conn.execute(
                "SELECT v ~ %s FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n",
                (pattern, values),
            ).fetchall()
            assert [row[0] for row in answers] == [
                compiled.search(v) is not None for v in values
            ], pattern

        check()
        for pattern in [
            "[z-a]",
            "[a-z-9]",
            "[\\d-z]",
            "(a{255}){255}",
            "a{256}",
            "x*??",
            "a" * 50_000,
        ]:
            assert postgres_refuses(pattern), pattern[:40]
            assert regex_problem(pattern) is not None, pattern[:40]
