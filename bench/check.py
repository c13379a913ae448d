"""Bench: `reconciler check` over 1,000 flows using 200 distinct URLs (PRODUCT.md 13).

Local HTTPS receivers (trustme certificates, 127.0.0.1 allowed via network.allow) run in
their own process and answer every request after 100 ms. Measured: the whole
`reconciler check` command (process start-up, loading and validating 1,000 flow files,
checks, storing results) against the ideal = distinct URLs / concurrency x 100 ms.
Bar: <= 1.3x. Also printed: the check engine alone (in-process), for insight.

    PYTHONPATH=. python bench/check.py [--flows 1000] [--urls 200] [--origins 200]
                                       [--concurrency 20] [--delay 0.1] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trustme

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BAR = 1.3


def write_repo(root: Path, ca: trustme.CA, flows: int, urls: list[str]) -> None:
    (root / "flows.d").mkdir(parents=True)
    ca.cert_pem.write_to_path(str(root / "ca.pem"))
    (root / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\n"
        "network:\n  allow: ['127.0.0.1/32']\n  caBundle: ca.pem\n"
    )
    for i in range(flows):
        folder = root / "flows.d" / f"team-{i % 10}"
        folder.mkdir(exist_ok=True)
        (folder / f"flow-{i:05d}.yaml").write_text(
            "apiVersion: reconciler/v1\nkind: Flow\n"
            f"name: Flow {i:05d}\nmappings:\n  - workflowName: la-flow-{i:05d}\n"
            f"resubmit:\n  url: {urls[i % len(urls)]}\n"
        )


def start_receivers(
    chain: Path, origins: int, delay: float
) -> tuple[subprocess.Popen[str], list[int]]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.https_servers", str(chain), str(origins), str(delay)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    ports = json.loads(proc.stdout.readline())["ports"]
    return proc, ports


def run_command(root: Path, concurrency: int) -> tuple[float, dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    store = f"sqlite:///{root / 'store.db'}"
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "reconciler",
            "--store",
            store,
            "--repo",
            str(root),
            "check",
            "--concurrency",
            str(concurrency),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"check failed ({done.returncode}):\n{done.stderr}\n{done.stdout[-2000:]}")
    return elapsed, json.loads(done.stdout)


def run_engine(urls: list[str], ca_pem: Path, concurrency: int) -> float:
    from reconciler.core.netpolicy import NetPolicy
    from reconciler.http.guard import build_ssl_context
    from reconciler.http.reachability import CheckOptions, check_urls

    context = build_ssl_context(ca_pem)
    started = time.perf_counter()
    results = check_urls(
        urls,
        NetPolicy.parse(["127.0.0.1/32"]),
        ssl_context=context,
        options=CheckOptions(concurrency=concurrency),
    )
    elapsed = time.perf_counter() - started
    assert all(r.reachable for r in results), [r.reason for r in results if not r.reachable][:3]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=1000)
    parser.add_argument("--urls", type=int, default=200)
    parser.add_argument("--origins", type=int, default=200, help="listening ports (TLS origins)")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    ca = trustme.CA()
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        work = Path(tmp)
        cert = ca.issue_cert("127.0.0.1")
        chain = work / "server.pem"
        chain.write_bytes(
            cert.private_key_pem.bytes() + b"".join(c.bytes() for c in cert.cert_chain_pems)
        )
        receivers, ports = start_receivers(chain, args.origins, args.delay)
        try:
            urls = [
                f"https://127.0.0.1:{ports[i % len(ports)]}/endpoint/{i}/resubmit"
                for i in range(args.urls)
            ]
            root = work / "repo"
            write_repo(root, ca, args.flows, urls)
            ideal = math.ceil(args.urls / args.concurrency) * args.delay
            formula = args.urls / args.concurrency * args.delay
            print(
                f"check bench: {args.flows} flows, {args.urls} distinct URLs on {len(ports)} "
                f"HTTPS origins, {args.delay * 1000:.0f} ms answers, concurrency {args.concurrency}"
            )
            print(f"ideal (distinct URLs / concurrency x delay): {formula:.3f} s")
            engine = [
                run_engine(urls, work / "repo" / "ca.pem", args.concurrency)
                for _ in range(args.runs)
            ]
            command: list[float] = []
            for _ in range(args.runs):
                elapsed, report = run_command(root, args.concurrency)
                summary = report["summary"]
                assert isinstance(summary, dict)
                assert summary["urls"] == args.urls and summary["flows"] == args.flows, summary
                assert summary["unreachable"] == 0, summary
                command.append(elapsed)
        finally:
            assert receivers.stdin is not None and receivers.stdout is not None
            receivers.stdin.close()
            seen = json.loads(receivers.stdout.readline() or "{}")
            receivers.wait(10)
    best_engine, best_command = min(engine), min(command)
    print(
        f"check engine (in-process, {args.urls} HEADs):  best {best_engine:.3f} s, "
        f"median {statistics.median(engine):.3f} s  -> {best_engine / formula:.2f}x ideal"
    )
    print(
        f"`reconciler check` command (start-up, load {args.flows} files, check, store): "
        f"best {best_command:.3f} s, median {statistics.median(command):.3f} s"
        f"  -> {best_command / formula:.2f}x ideal"
    )
    print(
        f"(waves of {args.concurrency}: {ideal:.3f} s is the floor when URLs do not divide evenly)"
    )
    print(f"receivers saw {seen.get('requests')} requests, methods {seen.get('methods')}")
    ratio = best_command / formula
    verdict = "PASS" if ratio <= BAR else "FAIL"
    print(f"{verdict}: command {ratio:.2f}x ideal (bar <= {BAR}x)")
    sys.exit(0 if verdict == "PASS" else 1)


if __name__ == "__main__":
    main()
