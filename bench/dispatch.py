"""Bench: `reconciler requests dispatch` of 300,000 runs in batches of 100 to a local HTTPS
receiver in its own process, against a bare httpx loop sending the same batches with the
same concurrency (bar: >= 0.8x the loop's throughput, peak RSS < 300 MB).

Both sides are whole processes timed from spawn to exit: the dispatch command includes
start-up, validation, freezing the selection (a ledger row per batch), reading the records
back per batch and committing every batch before and after its POST; the loop includes
interpreter start-up and reading the pre-built bodies from a file.

    python bench/dispatch.py [--runs 300000] [--batch 100] [--concurrency 8] [--rounds 3]
                             [--store postgresql://...]   (default: a fresh SQLite file)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._dispatch_setup import (  # noqa: E402
    RECEIVER_SERVE,
    child_env,
    start_receiver,
    write_certs,
    write_tree,
)

RECEIVER = (
    """
import asyncio, ssl, sys
cert, key, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)

async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\\r\\n\\r\\n")
            length = 0
            for line in head.split(b"\\r\\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok")
            await writer.drain()
"""
    + RECEIVER_SERVE
)

BASELINE = """
import asyncio, ssl, sys, httpx
bodies_path, url, ca, concurrency = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

async def main() -> None:
    bodies = [line.rstrip(b"\\n") for line in open(bodies_path, "rb")]
    context = ssl.create_default_context(cafile=ca)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    queue = list(reversed(range(len(bodies))))
    async with httpx.AsyncClient(verify=context, limits=limits, timeout=30) as client:
        async def worker() -> None:
            while queue:
                i = queue.pop()
                response = await client.post(
                    url, content=bodies[i],
                    headers={"Content-Type": "application/json", "Idempotency-Key": str(i)},
                )
                assert response.status_code == 200, response.status_code
        await asyncio.gather(*(worker() for _ in range(concurrency)))

asyncio.run(main())
"""

REQUEST = """\
apiVersion: reconciler/v1
kind: ResubmitRequest
name: {name}
reason: bench
action: resubmit
flows: [Bench]
select:
  status: [Error]
limits:
  maxRuns: {max_runs}
"""


def record(i: int) -> str:
    return json.dumps(
        {
            "id": f"{i:024x}",
            "workflowEventId": f"1f8be9e8-dc61-41c5-9146-{i:012d}",
            "partitionKey": "02c1eacb-60a9-4fa9-937f-971b10f567d4",
            "workFlowRunId": f"0858510121380137175{i:010d}CU150",
            "dateInserted": "2026-11-28T01:08:21.028Z",
            "parentWorkFlowRunId": "",
            "chainId": f"439f11e1-739e-461e-b785-{i:012d}",
            "executionTime": f"2026-11-28T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}.372Z",
            "appName": None,
            "workflowName": "la-bench",
            "statusId": 2,
            "subscriptionId": "07459384-7900-43c9-b940-8f90d6ab3c7c",
            "resourceGroupName": "someresourcegroup",
            "triggerName": "manual",
            "userStatus": 1,
            "workFlowActionCount": 10,
            "errorInfo": "",
            "properties": {
                "x_iv_enqueued_time": "11/28/2026 01:07:06 +00:00",
                "Domain": "Sales",
                "Service": "Orders",
                "Action": "Create",
                "Version": "1.0",
            },
            "source": "1",
            "eventText": "Some Event Text",
            "messageContentView": None,
            "actionName": None,
        },
        separators=(",", ":"),
    )


CPU: dict[str, list[float]] = {}


def run_timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB) of that one child, stdout."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        CPU.setdefault(cmd[-1], []).append(usage.ru_utime + usage.ru_stime)
        out.seek(0)
        text = out.read().decode(errors="replace")
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd[:6])}... exited {proc.returncode}:\n{text[-3000:]}")
    return elapsed, int(usage.ru_maxrss), text


def settle(store_url: str) -> None:
    """Untimed, before each round on PostgreSQL: VACUUM ANALYZE, so that neither side's
    time includes autovacuum catching up on the runs import or the previous round's ledger
    rows (it starts at random moments and takes a core of this 2-core machine)."""
    if not store_url.startswith("postgres"):
        return
    import psycopg

    with psycopg.connect(store_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def throwaway_database(stack: contextlib.ExitStack) -> str:
    import psycopg

    from tests.pgserver import pg_bin, throwaway_postgres

    bin_dir = pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL server binaries not found")
    admin = stack.enter_context(throwaway_postgres(bin_dir, fsync=True))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('CREATE DATABASE "bench_dispatch"')
    return admin.rpartition("/")[0] + "/bench_dispatch"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--store",
        default=None,
        help="a PostgreSQL URL, or `postgresql` for a throw-away cluster (default: SQLite file)",
    )
    parser.add_argument("--profile", metavar="FILE", help="cProfile the dispatch command to FILE")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-dispatch-"))
    stack = contextlib.ExitStack()
    stack.callback(shutil.rmtree, work, ignore_errors=True)
    try:
        if args.store == "postgresql":
            args.store = throwaway_database(stack)
        write_certs(work)
        port = start_receiver(stack, RECEIVER, work)
        url = f"https://127.0.0.1:{port}/resubmit"
        repo = write_tree(work, url, args.batch, args.concurrency)
        store_url = args.store or f"sqlite:///{work / 'store.db'}"
        env = child_env()
        cli = [sys.executable, "-m", "reconciler", "--store", store_url, "--repo", str(repo)]

        # Written streaming, so this process stays small: a child's peak RSS as reported
        # by wait4 includes what it inherited at fork.
        runs_file = work / "runs.ndjson"
        bodies_file = work / "bodies.bin"
        with runs_file.open("w") as runs_out, bodies_file.open("w") as bodies_out:
            for start in range(0, args.runs, args.batch):
                chunk = [record(i) for i in range(start, min(start + args.batch, args.runs))]
                runs_out.write("".join(t + "\n" for t in chunk))
                bodies_out.write("[" + ",".join(chunk) + "]\n")
        run_timed([*cli, "apply"], env)
        t_import, _, _ = run_timed([*cli, "runs", "import", str(runs_file)], env)
        print(f"setup: imported {args.runs} runs in {t_import:.1f} s ({store_url.split(':')[0]})")

        loop_cmd = [
            sys.executable,
            "-c",
            BASELINE,
            str(bodies_file),
            url,
            str(work / "ca.pem"),
            str(args.concurrency),
        ]
        loops: list[float] = []
        dispatches: list[float] = []
        rss: list[int] = []
        for n in range(args.rounds):
            settle(store_url)
            t_loop, _, _ = run_timed(loop_cmd, env)
            loops.append(t_loop)
            for old in (repo / "requests.d").iterdir():
                old.unlink()  # a dispatched request may be deleted; its ledger stays
            name = f"bench-{n}"
            (repo / "requests.d" / f"{name}.yaml").write_text(
                REQUEST.format(name=name, max_runs=args.runs)
            )
            command = [*cli, "requests", "dispatch", "--format", "json"]
            if args.profile:
                command[1:3] = ["-m", "cProfile", "-o", args.profile, "-m", "reconciler"]
            t_dispatch, peak, out = run_timed(command, env)
            doc = json.loads(out[out.index("{") :])
            [request] = [r for r in doc["requests"] if r["name"] == name]
            assert request["status"] == "completed" and request["runCount"] == args.runs, request
            dispatches.append(t_dispatch)
            rss.append(peak)
            print(
                f"round {n + 1}: bare httpx loop {t_loop:.2f} s, requests dispatch "
                f"{t_dispatch:.2f} s, dispatch peak RSS {peak / 1024:.0f} MB"
            )
        loop_t = statistics.median(loops)
        dispatch_t = statistics.median(dispatches)
        ratio = loop_t / dispatch_t
        peak_mb = max(rss) / 1024
        print(
            f"\n{args.runs} runs, batch {args.batch}, concurrency {args.concurrency}: "
            f"bare loop {args.runs / loop_t:,.0f} runs/s, dispatch {args.runs / dispatch_t:,.0f} "
            f"runs/s (medians of {args.rounds})"
        )
        print(
            "cpu seconds (user+sys) of the children:",
            {k[-12:]: [round(x, 2) for x in v] for k, v in CPU.items()},
        )
        print(
            f"throughput ratio dispatch/loop: {ratio:.2f}x (bar >= 0.8x) {'PASS' if ratio >= 0.8 else 'FAIL'}"
        )
        print(
            f"peak RSS of requests dispatch: {peak_mb:.0f} MB (bar < 300 MB) {'PASS' if peak_mb < 300 else 'FAIL'}"
        )
    finally:
        stack.close()


if __name__ == "__main__":
    main()
