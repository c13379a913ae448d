"""Reconcile benchmark: plan+apply 10,000 flows into an empty store,
a no-op plan(+apply), then 100 edits -- on SQLite and PostgreSQL, each phase compared in
the same run with a raw-driver bulk upsert of the same 10,000 flow rows (executemany
INSERT ... ON CONFLICT DO UPDATE in one transaction). Bar: ratio <= 2.

What is timed on our side is what `reconciler apply` does after loading the tree: plan
(read the store, field diffs for changed flows; made before the lock so that the endpoint
checks can run), take the writer lock, confirm the stored flows did not change since (else
plan again), and the one apply transaction with audit records and the revision bump. Its
input is the loaded tree as the validator hands it over: models with their canonical spec,
which the validator makes in its worker processes and caches per file (like the peer's
input, the rows). Loading 10,000 YAML files is measured by bench/validate.py; it and
building the specs in this process are printed for context only (`--with-load`).

PostgreSQL: RECONCILER_TEST_PG (an admin DSN) or a throw-away cluster (initdb/pg_ctl, like
the test fixtures). Usage: python bench/reconcile.py [--flows N] [--edits N] [--repeat N]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import json
import os
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

from reconciler.core.plan import DesiredFlow
from reconciler.models import Flow
from reconciler.provenance import Provenance
from reconciler.services.reconcile import ApplyOptions, apply_flows, make_plan
from reconciler.store import Store, open_store, utcnow
from reconciler.store.flows import FLOW_COLUMNS

BAR = 2.0
PROV = Provenance("bench", "0" * 40, "bench-host", os.getpid())


def flow_models(count: int, *, edited: frozenset[int] = frozenset()) -> list[tuple[Flow, str, str]]:
    out = []
    for i in range(count):
        data = {
            "apiVersion": "reconciler/v1",
            "kind": "Flow",
            "name": f"Flow {i:05d}",
            "description": f"generated flow {i}" + (" (edited)" if i in edited else ""),
            "mappings": [{"workflowName": f"la-flow-{i}", "domain": f"D{i % 13}"}],
            "properties": [{"name": "OrderId"}],
            "display": {"milestones": True, "eventText": True},
            "resubmit": {
                "url": f"https://svc{i % 200}.example.com/resubmit",
                "headers": [
                    {"name": "x-api-key", "valueFrom": {"env": "ORDERS_API_KEY"}},
                    {"name": "x-team", "value": f"team{i % 9}"},
                ],
            },
            "resume": {"url": f"https://svc{i % 200}.example.com/resume"},
            "dispatch": {"batchSize": 100, "concurrency": 8},
            "owners": [f"@team{i % 9}"],
        }
        folder = f"Team{i % 9}/Sub{i % 4}"
        out.append((Flow.model_validate(data), folder, f"flows.d/{folder}/flow-{i:05d}.yaml"))
    return out


def desired(models: Sequence[tuple[Flow, str, str]]) -> list[DesiredFlow]:
    return [DesiredFlow.of(f, folder=folder, path=path) for f, folder, path in models]


# -- our side ---------------------------------------------------------------------------------
def plan_and_apply(store: Store, want: Sequence[DesiredFlow]) -> int:
    """`reconciler apply`: the plan for the endpoint checks, then apply under the lock."""
    planned = make_plan(store, want)
    result = apply_flows(store, want, ApplyOptions(), PROV, planned=planned)
    return len(result.applied)


# -- the raw-driver peer ----------------------------------------------------------------------
UPSERT = (
    f"INSERT INTO flows ({', '.join(FLOW_COLUMNS)}) VALUES ({', '.join('?' * len(FLOW_COLUMNS))}) "
    "ON CONFLICT (name) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in FLOW_COLUMNS[1:])
)


def rows(want: Sequence[DesiredFlow]) -> list[tuple[Any, ...]]:
    at = utcnow()
    return [
        (d.name, d.folder, d.path, d.spec, 1, d.hash, at, "bench", "0" * 40, at, "bench")
        for d in want
    ]


def raw_sqlite(path: str) -> Callable[[list[tuple[Any, ...]]], None]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")

    def upsert(batch: list[tuple[Any, ...]]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(UPSERT, batch)
        conn.execute("COMMIT")

    return upsert


def raw_postgres(dsn: str) -> Callable[[list[tuple[Any, ...]]], None]:
    import psycopg

    conn = psycopg.connect(dsn, autocommit=True)
    sql = UPSERT.replace("?", "%s")

    def upsert(batch: list[tuple[Any, ...]]) -> None:
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany(sql, batch)

    return upsert


# -- running ----------------------------------------------------------------------------------
def timed(fn: Callable[..., Any], *args: Any) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def run_backend(
    name: str, ours_url: str, peer_url: str, peer: Callable[[str], Any], args: argparse.Namespace
) -> list[tuple[str, str, float, float]]:
    """Fresh stores for every repeat; the median of each phase."""
    base = flow_models(args.flows)
    step = max(1, args.flows // args.edits)
    edited = flow_models(args.flows, edited=frozenset(range(0, step * args.edits, step)))
    phases: dict[str, list[tuple[float, float]]] = {"apply-empty": [], "no-op": [], "edits": []}
    for r in range(args.repeat):
        ours = open_store(ours_url.format(r=r))
        theirs_store = open_store(peer_url.format(r=r))  # same schema for the peer
        theirs_store.close()
        upsert = peer(peer_url.format(r=r).replace("sqlite:///", ""))
        want_base, want_edit = rows(desired(base)), rows(desired(edited))

        for phase, models, peer_rows in (
            ("apply-empty", base, want_base),
            ("no-op", base, want_base),
            ("edits", edited, want_edit),
        ):
            t_ours = timed(plan_and_apply, ours, desired(models))
            phases[phase].append((t_ours, timed(upsert, peer_rows)))
        flows, audit = (
            ours.query_one("SELECT COUNT(*) FROM flows"),
            ours.query_one("SELECT COUNT(*) FROM audit"),
        )
        assert flows and audit and flows[0] == args.flows, flows
        assert audit[0] == args.flows + args.edits, (audit, args.edits)
        ours.close()
    return [
        (
            name,
            phase,
            statistics.median(o for o, _ in samples),
            statistics.median(p for _, p in samples),
        )
        for phase, samples in phases.items()
    ]


@contextmanager
def postgres() -> Iterator[str | None]:
    dsn = os.environ.get("RECONCILER_TEST_PG")
    if dsn:
        yield dsn
        return
    from tests.pgserver import pg_bin, throwaway_postgres

    bin_dir = pg_bin()
    if bin_dir is None:
        yield None
        return
    with throwaway_postgres(bin_dir, fsync=True) as dsn:
        yield dsn


def create_databases(admin: str, count: int) -> list[str]:
    import psycopg

    names = []
    with psycopg.connect(admin, autocommit=True) as conn:
        for _ in range(count):
            name = "bench_" + uuid.uuid4().hex[:10]
            conn.execute(f'CREATE DATABASE "{name}"')
            names.append(admin.rpartition("/")[0] + "/" + name)
    return names


def load_time(count: int) -> float:
    """For context: writing and loading `count` flow files through the validator."""
    from reconciler.services.reconcile import desired_flows

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for flow, _folder, path in flow_models(count):
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            # JSON is YAML
            target.write_text(json.dumps(flow.model_dump(mode="json", exclude_defaults=True)))
        return timed(desired_flows, root)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--with-load", action="store_true", help="also time loading the files")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()

    results = []
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-reconcile-")))
        # Warm up (imports, first-call caches) on both sides; not measured.
        warm = argparse.Namespace(**{**vars(args), "flows": 200, "edits": 2, "repeat": 1})
        run_backend("warm-up", f"sqlite:///{tmp}/w1.db", f"sqlite:///{tmp}/w2.db", raw_sqlite, warm)
        results += run_backend(
            "sqlite",
            f"sqlite:///{tmp}/ours-{{r}}.db",
            f"sqlite:///{tmp}/peer-{{r}}.db",
            raw_sqlite,
            args,
        )
        admin = None if args.skip_postgres else stack.enter_context(postgres())
        if admin:
            dbs = create_databases(admin, 2 * args.repeat)
            ours_dbs, peer_dbs = dbs[: args.repeat], dbs[args.repeat :]

            def pg_run() -> list[tuple[str, str, float, float]]:
                out: list[list[tuple[str, str, float, float]]] = []
                for r in range(args.repeat):
                    one = argparse.Namespace(**{**vars(args), "repeat": 1})
                    out.append(
                        run_backend("postgresql", ours_dbs[r], peer_dbs[r], raw_postgres, one)
                    )
                return [
                    (
                        "postgresql",
                        phase,
                        statistics.median(o[i][2] for o in out),
                        statistics.median(o[i][3] for o in out),
                    )
                    for i, (_, phase, _, _) in enumerate(out[0])
                ]

            results += pg_run()
        elif not args.skip_postgres:
            print("PostgreSQL: not available (set RECONCILER_TEST_PG or install postgresql)")

    print(
        f"\nreconcile bench: {args.flows} flows, {args.edits} edits, median of {args.repeat} "
        "(peer: raw-driver executemany upsert of the same rows, one transaction)"
    )
    print(f"{'backend':<11} {'phase':<12} {'ours s':>8} {'peer s':>8} {'ratio':>6}  bar <= {BAR}")
    ok = True
    for backend, phase, ours, peer in results:
        ratio = ours / peer
        ok &= ratio <= BAR
        print(
            f"{backend:<11} {phase:<12} {ours:8.3f} {peer:8.3f} {ratio:6.2f}  {'ok' if ratio <= BAR else 'OVER'}"
        )
    if args.with_load:
        models = flow_models(args.flows)
        print(
            f"\ncontext: loading {args.flows} flow files (validator, specs included): "
            f"{load_time(args.flows):.2f}s; building their specs in this process instead: "
            f"{timed(desired, models):.3f}s"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
