"""Runs in the store: selection (the API dispatch freezes a request with, and what
`runs list` and `requests preview` read). Import is reconciler.store.runimport.

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

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reconciler.core.preview import SampleRun
from reconciler.core.select import SelectionSpec, format_epoch_us
from reconciler.core.statuses import StatusTable
from reconciler.errors import InputError
from reconciler.models import Mapping
from reconciler.store.base import Store
from reconciler.store.membership import mapping_condition
from reconciler.store.selection_sql import Query, build_query

if TYPE_CHECKING:
    from reconciler.models import Flow


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
    texts: dict[int, str] = dict(store.query_in(sql, list(pks)))
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

    def run_ids(self, flow: Flow, spec: SelectionSpec, limit: int) -> set[str]:
        return {run.id for run in select_runs(self.store, spec, self._source(flow), limit=limit)}


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
