"""How the frozen run lists of batches (batch_runs) are read in SQL, for the selection
(fromRequest) and the batches module: one small module, so that neither pulls the other in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FrozenRuns:
    """SQL that expands the frozen run lists of `batch_runs br` (one row per batch, its
    runs' keys in send order) into one row per run: `join` goes after `batch_runs br`;
    `run_pk` and `pos` (0-based, send order) are then expressions of each run."""

    join: str
    run_pk: str
    pos: str


FROZEN_RUNS: dict[str, FrozenRuns] = {  # by store dialect
    "postgresql": FrozenRuns(
        "CROSS JOIN LATERAL unnest(br.run_pks) WITH ORDINALITY AS fr(run_pk, ord)",
        "fr.run_pk",
        "(fr.ord - 1)",
    ),
    "sqlite": FrozenRuns("CROSS JOIN json_each(br.run_pks) AS fr", "fr.value", "fr.key"),
}
