"""Flow, request and config documents built from the exported schemas, with hostile values
mixed in (huge integers, lone surrogates, control characters, deep nesting, huge regex
repeats, odd Unicode), through the real CLI: `validate`, `plan`, `apply`, `runs import`,
`requests preview` and `requests dispatch` answer with findings (file:line:col), a refusal
or a result, never an internal error or a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.schemas import build_schema
from tests.conftest import run_cli
from tests.schema_documents import Builder


class Number(str):
    """A number written as is (a Python int of 5,000 digits cannot be turned into text)."""


HOSTILE = st.one_of(
    st.sampled_from(
        [
            Number("9" * 5000),
            Number("-" + "9" * 30),
            Number(str(2**63)),
            Number(str(2**31)),
            Number(".nan"),
            Number("-.inf"),
            Number("1e999"),
            Number("0x7fffffffffffffffff"),
            "a{99999999999}",
            "(a+)+$",
            "[z-a]",
            "x" * 9000,
            "\ud800",
            "\udfff tail",
            "\x00\x07\x1b[31m",
            "\u202e\u200b\ufeff",
            "a\r\nX-Injected: 1",
            "https://2130706433/x",
            "https://[::ffff:127.0.0.1]/x",
            "💥" * 50,
        ]
    ),
    st.text(max_size=10),
    st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: Number(str(n))),
    st.integers(min_value=1, max_value=200).map(lambda depth: [[]] if depth < 2 else _deep(depth)),
    st.none(),
    st.booleans(),
)


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def _yaml(value: Any) -> str:
    """Flow-style YAML (JSON-like; surrogates and control characters as escapes)."""
    if isinstance(value, Number):
        return str.__str__(value)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return ".nan" if value != value else json.dumps(value).replace("Infinity", ".inf")
    if isinstance(value, str):
        return json.dumps(value)  # ensure_ascii: \ud800 stays an escape, as in a file
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_yaml(str(k))}: {_yaml(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def _documents(name: str) -> st.SearchStrategy[Any]:
    return Builder(build_schema(name), HOSTILE).documents()


LOCATED = re.compile(r"^(flows\.d|requests\.d|reconciler\.yaml)\S*:\d+:\d+: (error|warning)\[")


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(_documents("flow.schema.json"), min_size=1, max_size=4),
    st.lists(_documents("request.schema.json"), max_size=3),
    st.one_of(st.none(), _documents("config.schema.json")),
)
def test_validate_and_plan_never_fail_internally(
    tmp_path_factory: Any, flows: list[Any], requests: list[Any], config: Any
) -> None:
    root: Path = tmp_path_factory.mktemp("tree")
    files = {f"flows.d/team/f{i}.yaml": doc for i, doc in enumerate(flows)}
    files.update({f"requests.d/r{i}.yaml": doc for i, doc in enumerate(requests)})
    if config is not None:
        files["reconciler.yaml"] = config
    for rel, doc in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(_yaml(doc) + "\n", encoding="utf-8")

    validate = run_cli("validate", "--no-cache", cwd=root)
    out = validate.stdout + validate.stderr
    assert validate.returncode in (0, 1), out
    assert "Traceback" not in out and "internal error" not in out, out
    heads = [line for line in validate.stdout.splitlines() if re.match(r"^\S+:\d+:\d+: ", line)]
    assert all(LOCATED.match(line) for line in heads), heads
    if validate.returncode == 1:
        assert heads or "reconciler.yaml" in validate.stderr, out

    plan = run_cli("--store", f"sqlite:///{root}/store.db", "plan", cwd=root)
    _answered(plan)


def _answered(done: Any) -> None:
    out = done.stdout + done.stderr
    assert done.returncode in (0, 1), out
    assert "Traceback" not in out and "internal error" not in out, out


def _local_only(flow: Any) -> Any:
    """Every endpoint URL of a generated flow points at 127.0.0.1 port 1, which nothing
    listens on and the address policy refuses anyway: the test sends nothing anywhere."""
    if isinstance(flow, dict):
        for action in ("resubmit", "resume"):
            endpoint = flow.get(action)
            if isinstance(endpoint, dict) and "url" in endpoint:
                endpoint["url"] = "https://127.0.0.1:1/x"
    return flow


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(_documents("flow.schema.json").map(_local_only), min_size=1, max_size=3),
    st.lists(_documents("request.schema.json"), min_size=1, max_size=3),
    st.lists(_documents("run.schema.json"), max_size=6),
)
def test_apply_import_preview_and_dispatch_never_fail_internally(
    tmp_path_factory: Any, flows: list[Any], requests: list[Any], runs: list[Any]
) -> None:
    root: Path = tmp_path_factory.mktemp("tree")
    files = {f"flows.d/team/f{i}.yaml": doc for i, doc in enumerate(flows)}
    files.update({f"requests.d/r{i}.yaml": doc for i, doc in enumerate(requests)})
    for rel, doc in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(_yaml(doc) + "\n", encoding="utf-8")
    (root / "runs.json").write_text("[" + ", ".join(_yaml(r) for r in runs) + "]\n")
    store = ("--store", f"sqlite:///{root}/store.db")
    # Header secrets the flows may name: set or not, dispatch must answer either way.
    env = {"K": "secret-value", "ORDERS_API_KEY": "secret-value"}

    _answered(run_cli(*store, "apply", cwd=root, env=env))
    _answered(run_cli(*store, "runs", "import", "runs.json", cwd=root))
    _answered(run_cli(*store, "requests", "preview", cwd=root))
    dispatch = run_cli(*store, "requests", "dispatch", cwd=root, env=env, timeout=180)
    _answered(dispatch)
    assert "secret-value" not in dispatch.stdout + dispatch.stderr
