from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.errors import InputError
from reconciler.load import runfile
from reconciler.store import open_store
from reconciler.store.runimport import import_runs
from tests.runs_helpers import SEED, add_flow, record, write_ndjson


def _members(store, flow: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        r[0]
        for r in store.query(
            "SELECT r.id FROM run_flows f JOIN runs r ON r.pk = f.run_pk WHERE f.flow = ?", (flow,)
        )
    }


@pytest.mark.parametrize("layout", ["ndjson", "array", "pretty-array"])
def test_round_trip_is_byte_for_byte(store_url: str, tmp_path: Path, layout: str) -> None:
    other = record("r2", properties={"Note": "é \u2028"}, appName=None)
    other = other[:-1] + ',"extra":{"b":[1.50,1e3,-0.0],"e":"\\u00e9\\n"}}'  # as written
    path = tmp_path / "runs.json"
    if layout == "ndjson":
        write_ndjson(path, [SEED, other])
    elif layout == "array":
        path.write_text(f"[{SEED},{other}]")
    else:
        path.write_text(f"[\n  {SEED},\n\n  {other}\n]\n")
    store = open_store(store_url)
    summary = import_runs(store, [str(path)])
    assert (summary.inserted, summary.rejected) == (2, 0)
    rows = dict(store.query("SELECT id, record FROM runs"))
    assert rows["64d206051178624d80f70775"] == SEED
    assert rows["r2"] == other
    # same keys, same order, nulls kept, numbers as written
    assert list(json.loads(rows["r2"])) == list(json.loads(other))
    assert '[1.50,1e3,-0.0],"e":"\\u00e9\\n"' in rows["r2"]
    store.close()


def test_three_bad_records_among_1000(store_url: str, tmp_path: Path) -> None:
    lines = [record(f"run-{i:04d}") for i in range(1000)]
    lines[99] = '{"id": "run-0099", "statusId": 2,'  # truncated JSON (line 100)
    lines[499] = record("x").replace('"id":"x",', "")  # no id (line 500)
    lines[899] = record("run-0899", executionTime="yesterday")  # line 900
    path = write_ndjson(tmp_path / "runs.ndjson", lines)
    store = open_store(store_url)
    add_flow(store, "Some", [{"workflowName": "someworkflow"}])
    first = import_runs(store, [str(path)], batch_size=128)
    assert (first.inserted, first.updated, first.unchanged, first.rejected) == (997, 0, 0, 3)
    assert [(r.index, r.line, r.col) for r in first.rejections] == [
        (100, 100, 1),
        (500, 500, 1),
        (900, 900, 1),
    ]
    reasons = [r.reason for r in first.rejections]
    assert reasons[0].startswith("not valid JSON") and "(at 100:" in reasons[0]
    assert reasons[1].startswith("id: Field required")
    assert reasons[2] == "executionTime: 'yesterday' is not an ISO 8601 timestamp"
    assert all(r.location.startswith(f"{path}:") for r in first.rejections)
    assert store.query_one("SELECT COUNT(*) FROM runs") == (997,)
    assert len(_members(store, "Some")) == 997

    second = import_runs(store, [str(path)], batch_size=128)
    assert (second.inserted, second.updated, second.unchanged, second.rejected) == (0, 0, 997, 3)
    assert store.query_one("SELECT COUNT(*) FROM runs") == (997,)
    assert store.query_one("SELECT COUNT(*) FROM run_flows") == (997,)
    store.close()


def test_update_moves_membership_and_status(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    add_flow(store, "A", [{"workflowName": "la-a"}])
    add_flow(store, "B", [{"domain": "Sales", "service": "Orders"}])
    path = write_ndjson(tmp_path / "1.ndjson", [record("r1", workflowName="la-a", statusId=2)])
    import_runs(store, [str(path)])
    assert _members(store, "A") == {"r1"} and _members(store, "B") == set()
    changed = record(
        "r1", workflowName="la-x", statusId=1, properties={"Domain": "Sales", "Service": "Orders"}
    )
    path2 = write_ndjson(tmp_path / "2.ndjson", [changed])
    summary = import_runs(store, [str(path2)])
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 1, 0)
    assert _members(store, "A") == set() and _members(store, "B") == {"r1"}
    assert store.query_one("SELECT status_id FROM run_flows WHERE flow = 'B'") == (1,)
    assert store.query_one("SELECT record FROM runs WHERE id = 'r1'") == (changed,)
    store.close()


def test_same_id_twice_in_one_file_keeps_the_last(sqlite_url: str, tmp_path: Path) -> None:
    store = open_store(sqlite_url)
    path = write_ndjson(tmp_path / "d.ndjson", [record("r1", statusId=2), record("r1", statusId=1)])
    summary = import_runs(store, [str(path)])
    assert (summary.inserted, summary.updated) == (1, 1)
    assert store.query_one("SELECT status_id FROM runs") == (1,)


def test_array_syntax_error_keeps_records_before_it(store_url: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(
        "[\n"
        + record("a")
        + ",\n"
        + record("b")
        + ",\n"
        + '{"id": "c" "x": 1},\n'
        + record("d")
        + "\n]"
    )
    store = open_store(store_url)
    summary = import_runs(store, [str(path)])
    assert summary.inserted == 2 and summary.rejected == 1
    (bad,) = summary.rejections
    assert (bad.index, bad.line, bad.col) == (3, 4, 1)
    assert "Expecting ',' delimiter (at 4:12)" in bad.reason
    assert "rest of this file is not read" in bad.reason
    assert summary.incomplete_files == [str(path)]
    store.close()


def test_array_parsing_across_chunk_boundaries(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(runfile, "CHUNK", 7)
    records = [record(f"r{i}", statusId=i, properties={"N": "x" * i}) for i in range(30)]
    body = "[\n" + ",\n".join("  " + r for r in records) + "\n]"
    body += ""
    path = tmp_path / "a.json"
    path.write_text(body)
    with path.open("rb") as stream:
        got = list(runfile.read_records(stream))
    assert [g.text for g in got] == records
    assert [(g.index, g.line, g.col) for g in got] == [(i + 1, i + 2, 3) for i in range(30)]


def test_reader_positions_for_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "x.ndjson"
    path.write_bytes(b'{"id":"a"}\n\n  {"id": tru}\n\xff\xfe\n{"id":"b"} 7\n[1]\n')
    with path.open("rb") as stream:
        got = list(runfile.read_records(stream))
    assert [(g.index, g.line, g.col, g.error) for g in got] == [
        (1, 1, 1, None),
        (2, 3, 3, "not valid JSON: Expecting value (at 3:10)"),
        (3, 4, 1, "not valid UTF-8"),
        (4, 5, 1, "unexpected text after the record at 5:12 (NDJSON has one record per line)"),
        (5, 6, 1, None),
    ]


def test_nan_and_non_objects_are_rejected(sqlite_url: str, tmp_path: Path) -> None:
    path = write_ndjson(
        tmp_path / "n.ndjson", ['{"id":"a","x":NaN}', "[1]", '{"id":""}', record("ok")]
    )
    store = open_store(sqlite_url)
    summary = import_runs(store, [str(path)])
    assert summary.inserted == 1
    assert [r.reason for r in summary.rejections] == [
        "not valid JSON: NaN is not valid JSON",
        "a run record must be a JSON object, found list",
        "id: String should have at least 1 character",
    ]


def test_missing_file_fails_before_importing(sqlite_url: str, tmp_path: Path) -> None:
    good = write_ndjson(tmp_path / "g.ndjson", [record("a")])
    store = open_store(sqlite_url)
    with pytest.raises(InputError, match=r"nope\.json: no such file"):
        import_runs(store, [str(good), str(tmp_path / "nope.json")])
    assert store.query_one("SELECT COUNT(*) FROM runs") == (0,)


def test_membership_uses_flows_applied_between_imports(sqlite_url: str, tmp_path: Path) -> None:
    store = open_store(sqlite_url)
    import_runs(store, [str(write_ndjson(tmp_path / "1.ndjson", [record("a")]))])
    add_flow(store, "Late", [{"workflowName": "someworkflow", "domain": "SomeDomain"}])
    import_runs(store, [str(write_ndjson(tmp_path / "2.ndjson", [record("b")]))])
    # "a" was imported before the flow existed: apply's rebuild_flow covers it; import adds "b".
    assert _members(store, "Late") == {"b"}


@pytest.mark.parametrize("layout", ["array", "ndjson"])
def test_reader_memory_stays_flat(tmp_path: Path, layout: str) -> None:
    """~25 MB of runs read with a peak far below the file size (the store side holds one
    batch at a time; `bench/selection.py` covers a million)."""
    import tracemalloc

    line = record("x" * 24, properties={"Pad": "p" * 400})
    path = tmp_path / "big.json"
    with path.open("w") as out:
        out.write("[\n" if layout == "array" else "")
        for i in range(20_000):
            sep = ",\n" if layout == "array" and i else ""
            out.write(
                sep + line.replace("x" * 24, f"{i:024d}") + ("" if layout == "array" else "\n")
            )
        out.write("\n]\n" if layout == "array" else "")
    size = path.stat().st_size
    assert size > 20_000_000
    tracemalloc.start()
    count = 0
    with path.open("rb") as stream:
        for raw in runfile.read_records(stream):
            assert raw.error is None
            count += 1
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 20_000
    assert peak < 8_000_000, f"peak {peak:,} bytes for a {size:,}-byte file"
