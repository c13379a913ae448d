"""`runs import` through the real CLI, on both stores: a record either store could refuse
(out-of-range statusId, NUL or a lone surrogate, deep nesting, a huge record, over-long
keys, unreadable numbers) is rejected with file:line:col and its record number, and every
good record of the file is stored, with its flow membership."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.store import open_store
from tests.conftest import run_cli
from tests.runs_helpers import record

FLOW = (
    "apiVersion: reconciler/v1\nkind: Flow\nname: Orders\nmappings:\n  - workflowName: la-orders\n"
)
GOOD = 200


def _good(i: int) -> str:
    return record(f"good-{i:03d}", workflowName="la-orders", properties={"Country": "BE"})


def _bad_records() -> list[tuple[str, str]]:
    """(record text, the reason expected; {at} stands for the offending escape's line:col)."""
    seed = json.loads(_good(0))
    deep = '{"id":"deep","workflowName":"la-orders","properties":' + '{"a":' * 100_000
    deep += "1" + "}" * 100_000 + "}"
    return [
        (
            record("status-40", statusId=2**40),
            "statusId: Input should be less than or equal to 2147483647",
        ),
        (
            record("status-63", statusId=2**63),
            "statusId: Input should be less than or equal to 2147483647",
        ),
        (
            record("status-low", statusId=-(2**31) - 1),
            "statusId: Input should be greater than or equal to -2147483648",
        ),
        (
            json.dumps({**seed, "id": "nul\u0000id"}),
            "\\u0000 at {at}: a NUL character, which the store cannot keep; remove it from the record",
        ),
        (
            record("nul-prop", properties={"Note": "a\u0000b"}),
            "\\u0000 at {at}: a NUL character, which the store cannot keep; remove it from the record",
        ),
        (
            record("lone", eventText="x\udc00y"),
            "\\udc00 at {at}: a lone surrogate, which is not a character; write the character "
            "itself or its full surrogate pair",
        ),
        (deep, "the record nests deeper than 64 levels, the limit for one run record"),
        (
            record("huge", eventText="e" * (1536 * 1024)),
            "the record is larger than 1 MiB, the limit for one run record",
        ),
        (record("i" * 600), "id: String should have at most 512 characters (and 1 more)"),
        (
            record("digits").replace('"userStatus":1', '"userStatus":' + "9" * 5000),
            "not valid JSON: a number longer than 4300 digits",
        ),
        (
            record("nan").replace('"userStatus":1', '"userStatus":NaN'),
            "not valid JSON: NaN is not valid JSON",
        ),
    ]


def _escape_offset(text: str) -> int:
    for escape in ("\\u0000", "\\udc00"):
        if escape in text:
            return text.index(escape)
    return -1


@pytest.mark.parametrize("layout", ["ndjson", "array"])
def test_each_bad_record_costs_itself_only(store_url: str, tmp_path: Path, layout: str) -> None:
    (tmp_path / "flows.d").mkdir()
    (tmp_path / "flows.d" / "orders.yaml").write_text(FLOW)
    applied = run_cli("--store", store_url, "apply", cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr

    lines = [_good(i) for i in range(GOOD)]
    bad = _bad_records()
    # Bad records spread over the file: after good record 10, 25, 40, ...
    expected = []
    for k, (text, reason) in enumerate(bad):
        at = 10 + 15 * k + k  # index in `lines` once the earlier bad ones are in
        lines.insert(at, text)
        expected.append((at, text, reason))
    if layout == "ndjson":
        body, first_line, col = "\n".join(lines) + "\n", 1, 1
    else:  # one element per line, indented, as a pretty-printer writes it
        body, first_line, col = "[\n  " + ",\n  ".join(lines) + "\n]\n", 2, 3
    path = tmp_path / f"runs.{layout}"
    path.write_text(body, encoding="utf-8")

    result = run_cli("--store", store_url, "runs", "import", path.name, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    wanted = []
    for at, text, reason in expected:
        line = first_line + at
        shown = reason.format(at=f"{line}:{col + _escape_offset(text)}")
        wanted.append(f"{path.name}:{line}:{col}: record {at + 1}: {shown}")
    assert result.stderr.splitlines() == wanted
    assert (
        f"{GOOD} inserted, 0 updated, 0 unchanged, {len(bad)} rejected "
        f"({GOOD} flow memberships added)" in result.stdout
    )

    store = open_store(store_url)
    try:
        assert store.query_one("SELECT COUNT(*) FROM runs") == (GOOD,)
        assert store.query_one("SELECT COUNT(*) FROM run_flows WHERE flow = 'Orders'") == (GOOD,)
        stored = {row[0] for row in store.query("SELECT id FROM runs")}
        assert stored == {f"good-{i:03d}" for i in range(GOOD)}
    finally:
        store.close()
    # Selections read properties from the stored records: no record breaks them.
    listed = run_cli(
        "--store", store_url, "runs", "list", "--flow", "Orders", "--property", "Country=BE",
        "--format", "json", cwd=tmp_path,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["total"] == GOOD


def test_a_repeated_id_counts_its_membership_once(store_url: str, tmp_path: Path) -> None:
    (tmp_path / "flows.d").mkdir()
    (tmp_path / "flows.d" / "orders.yaml").write_text(FLOW)
    assert run_cli("--store", store_url, "apply", cwd=tmp_path).returncode == 0
    lines = [
        record("r1", workflowName="la-orders", statusId=2),
        record("r2", workflowName="la-orders", statusId=2),
        record("r1", workflowName="la-orders", statusId=1),  # later in the file: it wins
        record("r1", workflowName="la-orders", statusId=1),
    ]
    (tmp_path / "runs.ndjson").write_text("\n".join(lines) + "\n")
    result = run_cli("--store", store_url, "runs", "import", "runs.ndjson", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 inserted, 1 updated, 1 unchanged, 0 rejected (2 flow memberships added)" in (
        result.stdout
    )
    store = open_store(store_url)
    try:
        rows = store.query(
            "SELECT r.id, m.status_id FROM run_flows m JOIN runs r ON r.pk = m.run_pk ORDER BY r.id"
        )
        assert [tuple(row) for row in rows] == [("r1", 1), ("r2", 2)]
    finally:
        store.close()
    again = run_cli("--store", store_url, "runs", "import", "runs.ndjson", cwd=tmp_path)
    assert "0 inserted, 2 updated, 2 unchanged, 0 rejected (0 flow memberships added)" in (
        again.stdout
    )
