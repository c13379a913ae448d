"""`runs import`: run files into the store, streamed, upserted by `id`, with flow membership.

`import_runs(store, paths, progress=None) -> ImportSummary` reads JSON arrays or NDJSON
(reconciler.load.runfile), checks each record (reconciler.load.runrecord: what any store
could refuse is refused there, with the record's file:line:col and number, so that a bad
record costs that record only), keeps each record's exact JSON text, upserts by `id`
(inserted / updated / unchanged by the hash of that text) and adds `run_flows` membership
rows for new or changed runs against the flows currently in the store. Work is committed
per batch (a re-run is idempotent: a killed import run again gives the counts of one clean
import), each batch under the store's write lock (SQLite BEGIN IMMEDIATE; PostgreSQL
`LOCK flows IN SHARE MODE`, so an apply changing mappings is either fully before or fully
after a batch's membership). On PostgreSQL a batch is COPYed into a staging table and
written set-based; bench/import.py measures it against a raw-driver load.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from reconciler.errors import InputError
from reconciler.load.runfile import RawRecord, read_records
from reconciler.load.runrecord import RunRow, parse_record
from reconciler.store.base import Store, utcnow
from reconciler.store.membership import MAPPING_COLUMNS

BATCH = 2000
BATCH_BYTES = 16 * 1024 * 1024  # record text held before a batch is written
MAX_LISTED_REJECTIONS = 1000


@dataclass(frozen=True, slots=True)
class Rejection:
    path: str
    index: int  # 1-based record position in the file (0: the file itself)
    line: int
    col: int
    reason: str

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass
class ImportSummary:
    files: list[str] = field(default_factory=list)
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)  # the first 1000
    memberships: int = 0
    incomplete_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rejected == 0


def _columns(run: RunRow, now: str) -> tuple[Any, ...]:
    """Values for _RUN_COLUMNS."""
    return (
        run.workflow_run_id,
        run.chain_id,
        run.workflow_name,
        *run.dsav,
        run.status_id,
        run.execution_us,
        run.text,
        run.digest,
        now,
    )


_RUN_COLUMNS = (
    "workflow_run_id, chain_id, workflow_name, domain, service, action, version, "
    "status_id, execution_us, record, record_hash, imported_at"
)
_RUN_MARKS = ", ".join("?" for _ in _RUN_COLUMNS.split(","))


class _Matcher:
    """The flows' mappings, indexed so a run finds its flows without scanning them all."""

    def __init__(self, flows: Iterable[tuple[str, Sequence[dict[str, Any]]]]) -> None:
        self.by_key: dict[tuple[str, str], list[tuple[str, tuple[tuple[int, str], ...]]]] = {}
        keys = list(MAPPING_COLUMNS)
        for name, mappings in flows:
            for mapping in mappings:
                given = tuple((i, mapping[k]) for i, k in enumerate(keys) if mapping.get(k))
                if given:
                    first_i, first_v = given[0]
                    self.by_key.setdefault((keys[first_i], first_v), []).append((name, given))
        self.keys = keys

    def flows_of(self, run: RunRow) -> set[str]:
        values = (run.workflow_name, *run.dsav)
        found: set[str] = set()
        for key, value in zip(self.keys, values, strict=True):
            if value is None:
                continue
            for name, given in self.by_key.get((key, value), ()):
                if name not in found and all(values[i] == v for i, v in given):
                    found.add(name)
        return found


def _flows_fingerprint(store: Store) -> tuple[Any, ...]:
    row = store.query_one("SELECT COUNT(*), MAX(updated_at) FROM flows")
    return (store.revision(), *(row or ()))


def _load_matcher(store: Store) -> _Matcher:
    flows = []
    for name, spec in store.query("SELECT name, spec FROM flows"):
        try:
            mappings = json.loads(spec).get("mappings") or []
        except (ValueError, AttributeError):
            mappings = []
        flows.append((name, [m for m in mappings if isinstance(m, dict)]))
    return _Matcher(flows)


class _Importer:
    def __init__(self, store: Store, summary: ImportSummary) -> None:
        self.store = store
        self.summary = summary
        self.matcher: _Matcher | None = None
        self.fingerprint: tuple[Any, ...] | None = None

    def reject(self, path: str, raw: RawRecord, reason: str) -> None:
        self.summary.rejected += 1
        if len(self.summary.rejections) < MAX_LISTED_REJECTIONS:
            self.summary.rejections.append(Rejection(path, raw.index, raw.line, raw.col, reason))

    def flush(self, batch: dict[str, RunRow]) -> None:
        if not batch:
            return
        store = self.store
        with store.transaction():
            if store.dialect == "postgresql":
                store.execute("LOCK TABLE flows IN SHARE MODE")
            fingerprint = _flows_fingerprint(store)
            if self.matcher is None or fingerprint != self.fingerprint:
                self.matcher, self.fingerprint = _load_matcher(store), fingerprint
            now = utcnow()
            upsert = _upsert_postgresql if store.dialect == "postgresql" else _upsert_sqlite
            new, changed = upsert(store, batch, now)
            self.summary.unchanged += len(batch) - len(new) - len(changed)
            before: set[tuple[int, str]] = set()  # memberships of the changed runs
            if changed:
                pks = [pk for _, pk in changed]
                sql = "SELECT run_pk, flow FROM run_flows WHERE run_pk IN ({marks})"
                before = {(int(pk), flow) for pk, flow in store.query_in(sql, pks)}
                store.execute_in("DELETE FROM run_flows WHERE run_pk IN ({marks})", pks)
            rows = [
                (flow, pk, run.status_id, run.execution_us)
                for run, pk in (*changed, *new)
                for flow in self.matcher.flows_of(run)
            ]
            store.insert_many("run_flows", ("flow", "run_pk", "status_id", "execution_us"), rows)
            self.summary.inserted += len(new)
            self.summary.updated += len(changed)
            # What a run already belonged to is not added (a changed run, a run repeated
            # later in the same file): the count says how many memberships are new.
            self.summary.memberships += sum(1 for f, pk, *_ in rows if (pk, f) not in before)
        batch.clear()


Written = list[tuple[RunRow, int]]  # runs and their pk


def _upsert_sqlite(store: Store, batch: dict[str, RunRow], now: str) -> tuple[Written, Written]:
    """(new, changed) of the batch, written; unchanged runs are left alone."""
    existing = {
        run_id: (pk, digest)
        for run_id, pk, digest in store.query_in(
            "SELECT id, pk, record_hash FROM runs WHERE id IN ({marks})", list(batch)
        )
    }
    new = [run for run in batch.values() if run.id not in existing]
    changed = [
        (run, existing[run.id][0])
        for run in batch.values()
        if run.id in existing and existing[run.id][1] != run.digest
    ]
    if new:
        store.executemany(
            f"INSERT INTO runs (id, {_RUN_COLUMNS}) VALUES (?, {_RUN_MARKS})",
            [(r.id, *_columns(r, now)) for r in new],
        )
    if changed:
        store.executemany(
            f"UPDATE runs SET ({_RUN_COLUMNS}) = ({_RUN_MARKS}) WHERE pk = ?",
            [(*_columns(r, now), pk) for r, pk in changed],
        )
    inserted: Written = []
    if new:
        by_id = {r.id: r for r in new}
        sql = "SELECT id, pk FROM runs WHERE id IN ({marks})"
        inserted = [(by_id[i], pk) for i, pk in store.query_in(sql, list(by_id))]
    return inserted, changed


# PostgreSQL: a batch is one COPY into this session's staging table, then one INSERT of the
# new runs and (for ids already stored) one UPDATE of the changed ones: set-based, where a
# statement per row costs a round trip each.
_STAGE = "runs_import"
_STAGE_TABLE = (
    f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (id TEXT, workflow_run_id TEXT, chain_id TEXT, "
    "workflow_name TEXT, domain TEXT, service TEXT, action TEXT, version TEXT, "
    "status_id INTEGER, execution_us BIGINT, record TEXT, record_hash TEXT, imported_at TEXT) "
    "ON COMMIT DELETE ROWS"
)
_STAGED = ", ".join(f"s.{column}" for column in _RUN_COLUMNS.split(", "))


def _upsert_postgresql(store: Store, batch: dict[str, RunRow], now: str) -> tuple[Written, Written]:
    """As _upsert_sqlite, through the staging table."""
    store.insert_many(
        _STAGE,
        ("id", *_RUN_COLUMNS.split(", ")),
        [(r.id, *_columns(r, now)) for r in batch.values()],
    )
    new = store.query(
        f"INSERT INTO runs (id, {_RUN_COLUMNS}) SELECT s.id, {_STAGED} FROM {_STAGE} s "
        "ON CONFLICT (id) DO NOTHING RETURNING id, pk"
    )
    inserted = {run_id for run_id, _ in new}
    known = [run_id for run_id in batch if run_id not in inserted]
    changed = []
    if known:  # `= ANY` of the ids: an index probe each, whatever the planner thinks of the
        # staging table (temporary tables have no statistics)
        changed = store.query(
            f"UPDATE runs r SET ({_RUN_COLUMNS}) = ({_STAGED}) FROM {_STAGE} s "
            "WHERE r.id = ANY(?) AND s.id = r.id AND r.record_hash <> s.record_hash "
            "RETURNING r.id, r.pk",
            (known,),
        )
    return [(batch[i], pk) for i, pk in new], [(batch[i], pk) for i, pk in changed]


Progress = Callable[[str, int, int, int], None]  # path, records read, bytes read, bytes total


def import_runs(
    store: Store,
    paths: Sequence[str],
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH,
    stdin: IO[bytes] | None = None,
) -> ImportSummary:
    """Import run files ("-" = stdin). Raises InputError before touching the store when a
    file cannot be opened; bad records are counted and listed, never fatal."""
    for path in paths:
        if path != "-" and not Path(path).is_file():
            raise InputError(f"{path}: no such file", hint="runs import takes JSON or NDJSON files")
    summary = ImportSummary(files=list(paths))
    if store.dialect == "postgresql":
        store.execute(_STAGE_TABLE)
    importer = _Importer(store, summary)
    for path in paths:
        _import_file(importer, path, progress, batch_size, stdin)
    if store.dialect == "postgresql" and summary.inserted + summary.updated:
        # Fresh statistics after a bulk load: the planner otherwise still believes the
        # tables are nearly empty (autovacuum catches up later) and picks nested loops for
        # selections and freezes of 100,000 runs. Samples a bounded number of rows.
        store.execute("ANALYZE runs")
        store.execute("ANALYZE run_flows")
    return summary


def _import_file(
    importer: _Importer,
    path: str,
    progress: Progress | None,
    batch_size: int,
    stdin: IO[bytes] | None,
) -> None:
    summary = importer.summary
    stream: IO[bytes]
    if path == "-":
        stream = stdin or sys.stdin.buffer
        total = 0
    else:
        try:
            stream = open(path, "rb")  # noqa: SIM115 -- closed below
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
        total = Path(path).stat().st_size
    batch: dict[str, RunRow] = {}
    held = 0  # characters of record text in the batch
    try:
        for raw in read_records(stream):
            if raw.error is not None:
                importer.reject(path, raw, raw.error)
                if raw.fatal:
                    summary.incomplete_files.append(path)
                continue
            summary.read += 1
            parsed = parse_record(raw)
            if isinstance(parsed, str):
                importer.reject(path, raw, parsed)
                continue
            if parsed.id in batch:  # same id twice: the later one updates the earlier
                importer.flush(batch)
                held = 0
            batch[parsed.id] = parsed
            held += len(parsed.text)
            if len(batch) >= batch_size or held >= BATCH_BYTES:
                importer.flush(batch)
                held = 0
                if progress:
                    progress(path, summary.read, _tell(stream), total)
        importer.flush(batch)
        if progress:
            progress(path, summary.read, total, total)
    finally:
        if path != "-":
            stream.close()


def _tell(stream: IO[bytes]) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0
