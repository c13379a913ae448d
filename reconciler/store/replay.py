"""Replay outcomes in SQL: for each chain (chainId) of the runs a request delivered, its
latest run executed after the batch was delivered. What that run's status is tells whether
the replay helped: completed, failed again, or no later run yet.

A chain's delivery time is the earliest delivery of its runs in the request. Runs are
matched by chainId only, so a resubmitted run (a new run in the chain) and a resumed run
(the same record, re-imported with a later execution) both count. Shared by the status
report and by the selection of `fromRequest: {outcome: failed-again}`."""

from __future__ import annotations

from reconciler.store.base import Dialect, Store
from reconciler.store.frozen_runs import FROZEN_RUNS

# The ledger's UTC text timestamps (utcnow: ...T10:00:00.123456Z) as epoch microseconds,
# the unit of runs.execution_us.
_EPOCH_US = {
    "sqlite": "(CAST(strftime('%s', {t}) AS INTEGER) * 1000000 + CAST(substr({t}, 21, 6) AS INTEGER))",
    "postgresql": "CAST(EXTRACT(EPOCH FROM CAST({t} AS timestamptz)) * 1000000 AS BIGINT)",
}


def _delivered_runs(dialect: Dialect) -> str:
    """FROM/WHERE over the runs request `?` delivered (`r` the run, `b` its batch)."""
    frozen = FROZEN_RUNS[dialect]
    return (
        f"FROM batch_runs br {frozen.join} JOIN runs r ON r.pk = {frozen.run_pk} "
        "JOIN batches b ON b.request = br.request AND b.flow = br.flow AND b.seq = br.seq "
        "WHERE br.request = ? AND b.status = 'delivered'"
    )


def latest_later_sql(dialect: Dialect) -> str:
    """(chain, later_pk) per delivered chain of request `?`: the key of the chain's latest
    run executed after its delivery, NULL when there is none yet."""
    delivered_us = _EPOCH_US[dialect].format(t="s.delivered_at")
    return (
        "SELECT s.chain, (SELECT l.pk FROM runs l WHERE l.chain_id = s.chain "
        f"AND l.execution_us > {delivered_us} ORDER BY l.execution_us DESC, l.pk DESC LIMIT 1) "
        "AS later_pk FROM (SELECT r.chain_id AS chain, MIN(b.delivered_at) AS delivered_at "
        f"{_delivered_runs(dialect)} AND r.chain_id IS NOT NULL AND r.chain_id <> '' "
        "GROUP BY r.chain_id) s"
    )


def failed_again_sql(dialect: Dialect, error_codes: str) -> str:
    """The keys of the runs whose chains failed again after request `?`: each chain's
    latest later run, when its statusId is one of `error_codes` (an SQL list)."""
    return (
        f"SELECT later.later_pk FROM ({latest_later_sql(dialect)}) later "
        f"JOIN runs fa ON fa.pk = later.later_pk WHERE fa.status_id IN ({error_codes})"
    )


def chain_outcomes(store: Store, request: str) -> tuple[dict[tuple[bool, int | None], int], int]:
    """((has a later run, its statusId) -> chains, delivered runs without a chainId)."""
    rows = store.query(
        "SELECT CASE WHEN later.later_pk IS NULL THEN 0 ELSE 1 END, lr.status_id, COUNT(*) "
        f"FROM ({latest_later_sql(store.dialect)}) later "
        "LEFT JOIN runs lr ON lr.pk = later.later_pk "
        "GROUP BY CASE WHEN later.later_pk IS NULL THEN 0 ELSE 1 END, lr.status_id",
        (request,),
    )
    latest = {
        (bool(has), None if status is None else int(status)): int(n) for has, status, n in rows
    }
    unchained = store.query_one(
        f"SELECT COUNT(*) {_delivered_runs(store.dialect)} "
        "AND (r.chain_id IS NULL OR r.chain_id = '')",
        (request,),
    )
    return latest, int(unchained[0]) if unchained else 0
