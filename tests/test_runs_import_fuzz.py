"""Run records built from the exported run schema, with hostile values mixed in (huge and
overflowing integers, NaN and infinities, lone surrogates, NUL and control characters,
deep nesting, long text), imported through the real CLI on both stores: every record is
stored or rejected with file:line:col and its record number, never an internal error, and
what was reported stored is what the store holds."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.schemas import build_schema
from reconciler.store import open_store
from tests.conftest import run_cli
from tests.schema_documents import Builder


class Number(str):
    """A number written as is (a 5,000-digit one cannot be made with json.dumps)."""


def _deep(depth: int) -> Number:  # deeper than json.dumps (or the decoder) can go
    return Number('{"d":' * depth + '"bottom"' + "}" * depth)


HOSTILE = st.one_of(
    st.sampled_from(
        [
            Number("9" * 5000),
            Number(str(2**63)),
            Number(str(2**40)),
            Number(str(-(2**31) - 1)),
            Number("NaN"),
            Number("-Infinity"),
            Number("1e999"),
            "\ud800",
            "tail \udfff",
            "\x00",
            "a\x00b",
            "\x07\x1b[31m\r\n",
            "\u202e\u200b\ufeff",
            "x" * 3000,
            "💥" * 600,
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: Number(str(n))),
    st.integers(min_value=1, max_value=100_000).map(_deep),
    st.text(max_size=10),
    st.none(),
    st.booleans(),
)


def _json(value: Any) -> str:
    if isinstance(value, Number):
        return str.__str__(value)
    if isinstance(value, list):
        return "[" + ",".join(_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float) and value != value:
        return "NaN"
    return json.dumps(value)  # ensure_ascii: a lone surrogate stays an escape, as in a file


RECORDS = st.lists(
    Builder(build_schema("run.schema.json"), HOSTILE).documents(), min_size=1, max_size=8
)
LOCATED = re.compile(r"^runs\.(ndjson|json):\d+:\d+: record \d+: \S")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(records=RECORDS, array=st.booleans())
def test_run_import_never_fails_internally(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    backend: str,
    records: list[Any],
    array: bool,
) -> None:
    root = tmp_path_factory.mktemp("runs")
    if backend == "sqlite":
        _import_and_check(f"sqlite:///{root / 'store.db'}", root, records, array)
        return
    import psycopg

    server = request.getfixturevalue("pg_server")
    database = "f_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        _import_and_check(f"{server.rpartition('/')[0]}/{database}", root, records, array)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _import_and_check(url: str, root: Path, records: list[Any], array: bool) -> None:
    texts = [_json(r) for r in records]
    name = "runs.json" if array else "runs.ndjson"
    body = ("[\n" + ",\n".join(texts) + "\n]\n") if array else "\n".join(texts) + "\n"
    (root / name).write_text(body, encoding="utf-8")

    result = run_cli("--store", url, "runs", "import", name, "--format", "json", cwd=root)
    out = result.stdout + result.stderr
    assert result.returncode in (0, 1), out
    assert "Traceback" not in out and "internal error" not in out, out
    summary = json.loads(result.stdout)
    counted = summary["inserted"] + summary["updated"] + summary["unchanged"]
    assert counted + summary["rejected"] == len(records), summary
    for rejection in summary["rejections"]:
        assert rejection["line"] >= 1 and rejection["col"] >= 1 and rejection["index"] >= 1
        shown = f"{name}:{rejection['line']}:{rejection['col']}: record {rejection['index']}: "
        assert LOCATED.match(shown + rejection["reason"]), rejection
    store = open_store(url)
    try:
        assert store.query_one("SELECT COUNT(*) FROM runs") == (summary["inserted"],)
    finally:
        store.close()
