"""Runs in the store: streaming import (upsert by id + flow membership) and selection.

Import
  `import_runs(store, paths, progress=None) -> ImportSummary` reads JSON arrays or NDJSON
  (see `reconciler.load.runfile`), keeps each record's exact JSON text, upserts by `id`
  (inserted / updated / unchanged by the hash of that text), rejects bad records with
  file, record index and line:col while storing the good ones, and adds `run_flows`
  membership rows for new or changed runs against the flows currently in the store.
  Work is committed per batch (a re-run is idempotent), each batch under the store's
  write lock (SQLite BEGIN IMMEDIATE; PostgreSQL `LOCK flows IN SHARE MODE`, so an apply
  changing mappings is either fully before or fully after a batch's membership).

Selection (the API dispatch freezes a request with)
  spec = compile_selection(request.select, statuses)       # reconciler.core.select
  split = for_action(spec, request.action, statuses)       # resume -> Error group only
  source = flow_source(store, flow)                        # indexed run_flows by name
  for run in select_runs(store, split.send, source): ...   # SelectedRun, stable order
  counts = count_by_status(store, spec, source)            # {status_id: n}
  records = fetch_records(store, [run.pk, ...])            # exact JSON texts, same order

  Order is (executionTime ascending, runs without one last, then id bytewise), the same on
  both backends, so a selection frozen twice gives the same sequence. `select_runs` streams
  (fetchmany), so 100k-run selections stay flat in memory. `ledger_problem(store, spec)`
  says when `fromRequest` names a request the ledger does not know.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from reconciler.core.select import (
    Query,
    SelectionSpec,
    build_query,
    format_epoch_us,
    parse_timestamp_us,
)
from reconciler.core.statuses import StatusTable
from reconciler.errors import InputError
from reconciler.load.runfile import RawRecord, read_records
from reconciler.store.base import Store, utcnow
from reconciler.store.membership import MAPPING_COLUMNS, mapping_condition

if TYPE_CHECKING:  # the models cost start-up time; `runs list` does not need them
    from pydantic import ValidationError

    from reconciler.core.preview import SampleRun
    from reconciler.models import Flow, Mapping

BATCH = 2000
MAX_LISTED_REJECTIONS = 1000
_IN_CHUNK = 500  # ids per IN (...) list
_DSAV = (("domain", "Domain"), ("service", "Service"), ("action", "Action"), ("version", "Version"))


# -- import --------------------------------------------------------------------------------
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


@dataclass(frozen=True, slots=True)
class _Run:
    id: str
    workflow_run_id: str | None
    chain_id: str | None
    workflow_name: str | None
    dsav: tuple[str | None, str | None, str | None, str | None]
    status_id: int | None
    execution_us: int | None
    text: str
    digest: str

    def columns(self, now: str) -> tuple[Any, ...]:
        """Values for _RUN_COLUMNS."""
        return (
            self.workflow_run_id,
            self.chain_id,
            self.workflow_name,
            *self.dsav,
            self.status_id,
            self.execution_us,
            self.text,
            self.digest,
            now,
        )


_RUN_COLUMNS = (
    "workflow_run_id, chain_id, workflow_name, domain, service, action, version, "
    "status_id, execution_us, record, record_hash, imported_at"
)
_RUN_MARKS = ", ".join("?" for _ in _RUN_COLUMNS.split(","))


def _text_of(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@lru_cache(maxsize=1)
def _run_validator() -> tuple[Any, type[ValidationError]]:
    """The run schema's validator and its error type, imported on first use."""
    from pydantic import ValidationError

    from reconciler.models.run import RunRecord

    return RunRecord.__pydantic_validator__, ValidationError


def _parse(raw: RawRecord) -> _Run | str:
    """A record -> the columns we index, or the reason it is rejected."""
    value = raw.value
    if not isinstance(value, dict):
        return f"a run record must be a JSON object, found {type(value).__name__}"
    validator, invalid = _run_validator()
    try:
        validator.validate_python(value, strict=True)
    except invalid as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        return f"{where}: {first['msg']}{more}"
    execution = value.get("executionTime")
    execution_us = None
    if execution is not None:
        try:
            execution_us = parse_timestamp_us(execution)
        except ValueError:
            return f"executionTime: {execution!r} is not an ISO 8601 timestamp"
    props = value.get("properties") or {}
    assert raw.text is not None
    return _Run(
        id=value["id"],
        workflow_run_id=value.get("workFlowRunId"),
        chain_id=value.get("chainId"),
        workflow_name=value.get("workflowName"),
        dsav=tuple(_text_of(props.get(key)) for _, key in _DSAV),  # type: ignore[arg-type]
        status_id=value.get("statusId"),
        execution_us=execution_us,
        text=raw.text,
        digest=hashlib.sha256(raw.text.encode()).hexdigest(),
    )


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

    def flows_of(self, run: _Run) -> set[str]:
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

    def flush(self, batch: dict[str, _Run]) -> None:
        if not batch:
            return
        store = self.store
        with store.transaction():
            if store.dialect == "postgresql":
                store.execute("LOCK TABLE flows IN SHARE MODE")
            fingerprint = _flows_fingerprint(store)
            if self.matcher is None or fingerprint != self.fingerprint:
                self.matcher, self.fingerprint = _load_matcher(store), fingerprint
            existing = {
                run_id: (pk, digest)
                for run_id, pk, digest in _query_in(
                    store, "SELECT id, pk, record_hash FROM runs WHERE id IN ({marks})", list(batch)
                )
            }
            now = utcnow()
            new = [run for run in batch.values() if run.id not in existing]
            changed = [
                (run, existing[run.id][0])
                for run in batch.values()
                if run.id in existing and existing[run.id][1] != run.digest
            ]
            self.summary.unchanged += len(batch) - len(new) - len(changed)
            if new:
                store.executemany(
                    f"INSERT INTO runs (id, {_RUN_COLUMNS}) VALUES (?, {_RUN_MARKS})",
                    [(r.id, *r.columns(now)) for r in new],
                )
            if changed:
                store.executemany(
                    f"UPDATE runs SET ({_RUN_COLUMNS}) = ({_RUN_MARKS}) WHERE pk = ?",
                    [(*r.columns(now), pk) for r, pk in changed],
                )
                for chunk in _chunks([pk for _, pk in changed]):
                    marks = ", ".join("?" for _ in chunk)
                    store.execute(f"DELETE FROM run_flows WHERE run_pk IN ({marks})", chunk)
            touched: list[tuple[_Run, int]] = list(changed)
            if new:
                by_id = {r.id: r for r in new}
                sql = "SELECT id, pk FROM runs WHERE id IN ({marks})"
                touched += [(by_id[i], pk) for i, pk in _query_in(store, sql, list(by_id))]
            rows = [
                (flow, pk, run.status_id, run.execution_us)
                for run, pk in touched
                for flow in self.matcher.flows_of(run)
            ]
            if rows:
                store.executemany(
                    "INSERT INTO run_flows (flow, run_pk, status_id, execution_us) "
                    "VALUES (?, ?, ?, ?)",
                    rows,
                )
            self.summary.inserted += len(new)
            self.summary.updated += len(changed)
            self.summary.memberships += len(rows)
        batch.clear()


def _chunks(items: Sequence[Any], size: int = _IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _query_in(store: Store, sql: str, values: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    """Run `sql` (with one `{marks}` IN list) over `values` in chunks."""
    for chunk in _chunks(values):
        yield from store.query(sql.format(marks=", ".join("?" for _ in chunk)), chunk)


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
    import sys

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
    batch: dict[str, _Run] = {}
    try:
        for raw in read_records(stream):
            if raw.error is not None:
                importer.reject(path, raw, raw.error)
                if raw.fatal:
                    summary.incomplete_files.append(path)
                continue
            summary.read += 1
            parsed = _parse(raw)
            if isinstance(parsed, str):
                importer.reject(path, raw, parsed)
                continue
            if parsed.id in batch:  # same id twice: the later one updates the earlier
                importer.flush(batch)
            batch[parsed.id] = parsed
            if len(batch) >= batch_size:
                importer.flush(batch)
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


# -- selection -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SelectedRun:
    pk: int
    id: str
    status_id: int | None
    execution_us: int | None
    workflow_run_id: str | None
    chain_id: str | None
    workflow_name: str | None


@dataclass(frozen=True)
class FlowSource:
    """Where a flow's members come from: the indexed run_flows rows (`flow`), or the flow's
    mappings evaluated over all runs (`mappings`; a flow not applied to the store yet, or
    whose Git mappings differ from the store's). Neither = all runs."""

    flow: str | None = None
    mappings: tuple[Mapping, ...] | None = None

    def query(self, spec: SelectionSpec, store: Store) -> Query:
        membership = mapping_condition(self.mappings) if self.mappings is not None else None
        return build_query(spec, store.dialect, flow=self.flow, membership=membership)


ALL_RUNS = FlowSource()


def flow_source(store: Store, name: str, mappings: Sequence[Mapping] | None = None) -> FlowSource:
    """The indexed source when the store's flow has these mappings (or none are given)."""
    row = store.query_one("SELECT spec FROM flows WHERE name = ?", (name,))
    if mappings is None:
        if row is None:
            raise InputError(
                f"flow {name!r} is not in the store", hint="run `reconciler apply` first"
            )
        return FlowSource(flow=name)
    if row is not None:
        from reconciler.models import Mapping

        try:
            stored = [Mapping.model_validate(m) for m in json.loads(row[0]).get("mappings", [])]
        except (ValueError, AttributeError):
            stored = []
        if stored == list(mappings):
            return FlowSource(flow=name)
    return FlowSource(mappings=tuple(mappings))


def _prepare(store: Store) -> None:
    """Once per connection (a statement each is a round trip on PostgreSQL)."""
    if "selection" in store.prepared:
        return
    store.prepared.add("selection")
    if store.dialect == "sqlite":
        # Selection reads run rows scattered over the file: map it instead of one pread
        # per page (a cold `runs list` of 10,000 runs is ~1.5x faster).
        store.execute("PRAGMA mmap_size = 1073741824")
    else:
        # Selections are short index range scans: launching parallel workers costs more
        # (~80 ms on a busy host) than the whole query.
        store.execute("SET max_parallel_workers_per_gather = 0")


_COLUMNS = (
    "r.pk, r.id, {m}.status_id, {m}.execution_us, r.workflow_run_id, r.chain_id, r.workflow_name"
)


def select_runs(
    store: Store,
    spec: SelectionSpec,
    source: FlowSource = ALL_RUNS,
    *,
    limit: int | None = None,
    offset: int = 0,
    fetch: int = 1000,
) -> Iterator[SelectedRun]:
    """The selected runs in stable order, streamed."""
    _prepare(store)
    query = source.query(spec, store)
    sql, params = query.select(
        _COLUMNS.format(m=query.member), store.dialect, limit=limit, offset=offset
    )
    cursor = store.execute(sql, params)
    while True:
        rows = cursor.fetchmany(fetch)
        if not rows:
            return
        for row in rows:
            yield SelectedRun(*row)


def count_by_status(
    store: Store, spec: SelectionSpec, source: FlowSource = ALL_RUNS
) -> dict[int | None, int]:
    _prepare(store)
    sql, params = source.query(spec, store).count_by_status()
    return {status: int(count) for status, count in store.query(sql, params)}


def fetch_records(store: Store, pks: Sequence[int]) -> list[str]:
    """The exact stored JSON texts for these runs, in the order given."""
    sql = "SELECT pk, record FROM runs WHERE pk IN ({marks})"
    texts: dict[int, str] = dict(_query_in(store, sql, list(pks)))
    return [texts[pk] for pk in pks if pk in texts]


def ledger_problem(store: Store, spec: SelectionSpec) -> str | None:
    """Why `fromRequest` cannot select anything meaningful (None when it can)."""
    if spec.from_request is None:
        return None
    name = spec.from_request[0]
    if store.query_one("SELECT 1 FROM batches WHERE request = ? LIMIT 1", (name,)) is None:
        return f"fromRequest: request {name!r} has no dispatch ledger in the store"
    return None


class StoreRunSource:
    """`reconciler.core.preview.RunSource` over a store. A flow whose mappings in Git equal
    the store's uses the indexed membership; otherwise (not applied yet, or changed in this
    pull request) its Git mappings are evaluated over all runs, as apply will make them."""

    def __init__(self, store: Store, statuses: StatusTable) -> None:
        self.store = store
        self.statuses = statuses
        self._sources: dict[str, FlowSource] = {}

    def _source(self, flow: Flow) -> FlowSource:
        if flow.name not in self._sources:
            self._sources[flow.name] = flow_source(self.store, flow.name, flow.mappings)
        return self._sources[flow.name]

    def membership(self, flow: Flow) -> str:
        return "store" if self._source(flow).flow is not None else "git"

    def counts(self, flow: Flow, spec: SelectionSpec) -> dict[int | None, int]:
        return count_by_status(self.store, spec, self._source(flow))

    def sample(self, flow: Flow, spec: SelectionSpec, limit: int) -> list[SampleRun]:
        from reconciler.core.preview import SampleRun

        return [
            SampleRun(
                run.id,
                run.workflow_run_id,
                run.chain_id,
                run.workflow_name,
                self.statuses.name(run.status_id),
                format_epoch_us(run.execution_us),
            )
            for run in select_runs(self.store, spec, self._source(flow), limit=limit)
        ]

    def ledger_problem(self, spec: SelectionSpec) -> str | None:
        return ledger_problem(self.store, spec)


def dispatched_state(store: Store, request_name: str) -> dict[str, Any] | None:
    """The ledger row of a request, if it has one (status, started_at, commit_sha, hash)."""
    row = store.query_one(
        "SELECT status, started_at, created_at, commit_sha, content_hash FROM requests "
        "WHERE name = ?",
        (request_name,),
    )
    if row is None:
        return None
    keys = ("status", "started_at", "created_at", "commit_sha", "content_hash")
    return dict(zip(keys, row, strict=True))
