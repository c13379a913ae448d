"""Bench: two `reconciler requests dispatch` processes sharing one PostgreSQL store against
one process, on the same request of 100,000 runs in batches of 100 (concurrency 8 each) to a
local HTTPS receiver in its own process that answers each POST after 5 ms (bar: the two
together are not slower than one, ratio >= 1.0x; every batch received exactly once).

Each round dispatches a fresh request twice: once with one process, once with two started
together; both variants are timed from spawn to the exit of the last process. The receiver
counts the Idempotency-Key of every POST; after each variant the bench reads the counts
(GET /stats, which also resets them) and fails if a key arrived twice or a batch is missing.
The delay stands in for a real endpoint, so that the work is not purely CPU bound here.

    python bench/workers.py [--runs 100000] [--batch 100] [--concurrency 8] [--rounds 3]
                            [--delay 0.005]   (seconds per response)

PostgreSQL: a fresh database on RECONCILER_TEST_PG when set, else on a throw-away cluster.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
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
from bench._pg import postgres_database  # noqa: E402
from bench.dispatch import REQUEST, record, settle  # noqa: E402

RECEIVER = (
    """
import asyncio, json, ssl, sys
cert, key, port, delay = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
counts = {}

async def handle(reader, writer):
    global counts
    try:
        while True:
            head = await reader.readuntil(b"\\r\\n\\r\\n")
            length, idem = 0, None
            for line in head.split(b"\\r\\n"):
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"idempotency-key":
                    idem = value.strip().decode()
            await reader.readexactly(length)
            if head.startswith(b"GET /stats"):
                body = json.dumps(counts).encode()
                counts = {}
            else:
                counts[idem] = counts.get(idem, 0) + 1
                await asyncio.sleep(delay)  # a real endpoint's latency
                body = b"ok"
            writer.write(b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body) + body)
            await writer.drain()
"""
    + RECEIVER_SERVE
)


def run_processes(cmd: list[str], env: dict[str, str], count: int) -> tuple[float, list[str]]:
    """Wall seconds from spawning `count` copies of cmd together to the last one's exit, and
    each one's output; any non-zero exit stops the bench."""
    with contextlib.ExitStack() as files:
        outs = [files.enter_context(tempfile.TemporaryFile()) for _ in range(count)]
        start = time.perf_counter()
        procs = [
            subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT) for out in outs
        ]
        codes = [proc.wait() for proc in procs]
        elapsed = time.perf_counter() - start
        texts = []
        for out in outs:
            out.seek(0)
            texts.append(out.read().decode(errors="replace"))
    for code, text in zip(codes, texts, strict=True):
        if code != 0:
            raise SystemExit(f"{' '.join(cmd[:6])}... exited {code}:\n{text[-3000:]}")
    return elapsed, texts


def received(url: str, ca: Path) -> dict[str, int]:
    """The receiver's count per Idempotency-Key since the last call (which it resets)."""
    context = ssl.create_default_context(cafile=str(ca))
    with urllib.request.urlopen(url, context=context, timeout=30) as response:
        counts: dict[str, int] = json.loads(response.read())
    return counts


def check_once(counts: dict[str, int], batches: int, label: str) -> str | None:
    twice = sorted(k for k, n in counts.items() if n > 1)
    if twice or None in counts or len(counts) != batches:
        return (
            f"{label}: {len(counts)} distinct keys for {batches} batches, "
            f"{len(twice)} received more than once (first: {twice[:3]})"
        )
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.005, help="seconds per response")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    stack = contextlib.ExitStack()
    stack.callback(shutil.rmtree, work, ignore_errors=True)
    try:
        store_url = stack.enter_context(postgres_database())
        if store_url is None:
            raise SystemExit("no PostgreSQL: set RECONCILER_TEST_PG or install the server")
        write_certs(work)
        port = start_receiver(stack, RECEIVER, work, str(args.delay))
        url = f"https://127.0.0.1:{port}/resubmit"
        stats_url = f"https://127.0.0.1:{port}/stats"
        repo = write_tree(work, url, args.batch, args.concurrency)
        env = child_env()
        cli = [sys.executable, "-m", "reconciler", "--store", store_url, "--repo", str(repo)]
        runs_file = work / "runs.ndjson"
        with runs_file.open("w") as runs_out:
            for i in range(args.runs):
                runs_out.write(record(i) + "\n")
        run_processes([*cli, "apply"], env, 1)
        t_import, _ = run_processes([*cli, "runs", "import", str(runs_file)], env, 1)
        print(f"setup: imported {args.runs} runs in {t_import:.1f} s (postgresql)")

        batches = math.ceil(args.runs / args.batch)
        times: dict[int, list[float]] = {1: [], 2: []}
        problems: list[str] = []
        command = [*cli, "requests", "dispatch", "--format", "json"]
        for n in range(args.rounds):
            line = []
            # Alternating which variant goes first, so that neither always meets a warmer
            # (or more bloated) store.
            for count in (1, 2) if n % 2 == 0 else (2, 1):
                settle(store_url)
                for old in (repo / "requests.d").iterdir():
                    old.unlink()  # a dispatched request may be deleted; its ledger stays
                name = f"bench-{n}-{count}"
                (repo / "requests.d" / f"{name}.yaml").write_text(
                    REQUEST.format(name=name, max_runs=args.runs)
                )
                received(stats_url, work / "ca.pem")  # reset the counts
                elapsed, outs = run_processes(command, env, count)
                counts = received(stats_url, work / "ca.pem")
                problem = check_once(counts, batches, f"round {n + 1}, {count} process(es)")
                if problem:
                    problems.append(problem)
                # A process that runs out of batches to claim while the other still has
                # some in flight exits reporting `dispatching`; the last one sees it completed.
                reports = []
                for out in outs:
                    doc = json.loads(out[out.index("{") :])
                    reports += [r for r in doc["requests"] if r["name"] == name]
                assert any(r["status"] == "completed" for r in reports), reports
                assert sum(r["sentThisRun"] for r in reports) == batches, reports
                times[count].append(elapsed)
                line.append(f"{count} process{'es' if count > 1 else ''} {elapsed:.2f} s")
            print(f"round {n + 1}: " + ", ".join(sorted(line)))

        one, two = statistics.median(times[1]), statistics.median(times[2])
        ratio = one / two
        print(
            f"\n{args.runs} runs, batch {args.batch}, concurrency {args.concurrency} per "
            f"process, receiver delay {args.delay * 1000:g} ms (medians of {args.rounds}):"
        )
        print(f"  one process:   {one:.2f} s, {args.runs / one:,.0f} runs/s")
        print(f"  two processes: {two:.2f} s, {args.runs / two:,.0f} runs/s")
        print(
            f"throughput ratio two/one: {ratio:.2f}x (bar >= 1.0x) {'PASS' if ratio >= 1.0 else 'FAIL'}"
        )
        for problem in problems:
            print("FAIL:", problem)
        print(
            f"each of {batches} batches received exactly once per dispatch: "
            f"{'FAIL' if problems else 'PASS'}"
        )
        if problems or ratio < 1.0:
            sys.exit(1)
    finally:
        stack.close()


if __name__ == "__main__":
    main()
