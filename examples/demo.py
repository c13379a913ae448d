"""`make demo`: flow-reconciler end to end, offline, on the embedded SQLite store.

1. generates a fresh CA and a certificate for 127.0.0.1 (trustme), starts a local HTTPS
   receiver in its own process (examples/demo/receiver.py);
2. copies the demo tree (examples/demo/) to a temp dir, pointing its flows at the receiver
   (allowed by the demo's reconciler.yaml: network.allow + caBundle);
3. runs the real CLI, as a user would: validate, plan, apply, plan again (empty), check,
   runs import, requests preview, requests dispatch, requests status, status, and the
   status page (kept in .reconciler/demo/status.html, its path printed at the end);
4. shows what the receiver got, and stops it. Exits 0 only if every step that ran passed.

A command this build does not have yet is reported as SKIPPED, never as done.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEMO = HERE / "demo"
PLACEHOLDER_HOST = "127.0.0.1:8443"
DEMO_API_KEY = "demo-api-key-do-not-use"  # a stand-in secret: masked in every output
DEMO_SIGNING_SECRET = "whsec_ZGVtby1zaWduaW5nLXNlY3JldC0xMjM0NTY3OA=="
STEP_TIMEOUT_S = 180
# The status page outlives the demo's temporary directory (git-ignored).
STATUS_PAGE = REPO / ".reconciler" / "demo" / "status.html"


@dataclass
class Step:
    title: str
    args: list[str]
    ok: tuple[int, ...] = (0,)
    needs: tuple[str, ...] = ()  # titles of steps that must have passed
    before: Callable[[], None] | None = None  # what the user does first (edit a file...)
    after: Callable[[], None] | None = None
    result: str = "not run"
    passed: bool = False
    output: str = field(default="", repr=False)


def available(args: list[str]) -> bool:
    """Is this command (and sub-command) in this build?"""
    sys.path.insert(0, str(REPO))
    from reconciler.cli import COMMANDS, _load

    target = COMMANDS.get(args[0])
    command = _load(target) if target else None
    if command is None:
        return False
    if len(args) > 1 and not args[1].startswith("-"):
        import click

        if not isinstance(command, click.Group):
            return False
        return command.get_command(click.Context(command), args[1]) is not None
    return True


def banner(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m" if sys.stdout.isatty() else f"\n== {text}", flush=True)


def start_receiver(
    work: Path, *, fail_first_post: bool = False
) -> tuple[subprocess.Popen[str], int, Path, Path]:
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_pem = work / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    cert_pem, key_pem = work / "receiver-cert.pem", work / "receiver-key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_pem))
    cert.private_key_pem.write_to_path(str(key_pem))
    log = work / "receiver.jsonl"
    log.touch()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(DEMO / "receiver.py"),
            str(cert_pem),
            str(key_pem),
            str(log),
            DEMO_SIGNING_SECRET,
            # one 503 with Retry-After: dispatch retries that batch
            *(["fail-first-post"] if fail_first_post else []),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()  # "port=N" once listening
    if not line.startswith("port="):
        proc.kill()
        raise SystemExit(f"the receiver did not start (said {line!r})")
    return proc, int(line.removeprefix("port=")), ca_pem, log


def prepare_tree(work: Path, port: int, ca_pem: Path) -> Path:
    tree = work / "config-repo"
    shutil.copytree(DEMO, tree, ignore=shutil.ignore_patterns("receiver.py", "__pycache__"))
    for path in tree.rglob("*.yaml"):
        text = path.read_text()
        if PLACEHOLDER_HOST in text:
            path.write_text(text.replace(PLACEHOLDER_HOST, f"127.0.0.1:{port}"))
    shutil.copy(ca_pem, tree / "ca.pem")
    return tree


def run_step(step: Step, tree: Path, store: str, env: dict[str, str], done: set[str]) -> None:
    shown = "reconciler " + " ".join(step.args)
    banner(f"{step.title}: $ {shown}")
    missing = [n for n in step.needs if n not in done]
    if not available(step.args):
        step.result = "SKIPPED: not in this build yet"
    elif missing:
        step.result = f"SKIPPED: needs {', '.join(missing)}"
    if step.result.startswith("SKIPPED"):
        print(f"   {step.result}")
        return
    cmd = [sys.executable, "-m", "reconciler", "--repo", str(tree), "--store", store, *step.args]
    if step.before is not None:
        step.before()
    started = time.monotonic()
    try:
        proc = subprocess.run(
            cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT_S
        )
    finally:
        if step.after is not None:
            step.after()
    step.output = proc.stdout + proc.stderr
    for line in step.output.rstrip().splitlines():
        print(f"   {line}")
    took = time.monotonic() - started
    step.passed = proc.returncode in step.ok
    step.result = f"{'ok' if step.passed else 'FAILED'} (exit {proc.returncode}, {took:.1f}s)"
    print(f"   -> {step.result}")
    if step.passed:
        done.add(step.title)


def receiver_report(log: Path, dispatched: bool) -> list[str]:
    """What the receiver saw; problems are returned (and fail the demo)."""
    banner("What the receiver got")
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    problems: list[str] = []
    heads = Counter(e["path"] for e in entries if e["method"] == "HEAD")
    answered = [e for e in entries if e["method"] == "POST"]
    posts = [e for e in answered if e.get("status", 200) == 200]
    refused = [e for e in answered if e.get("status", 200) != 200]
    print(f"   HEAD requests (endpoint checks): {sum(heads.values())} {dict(heads) or ''}")
    print(f"   POST requests (dispatch batches): {len(answered)}")
    for entry in refused:
        again = [p for p in posts if p.get("idempotencyKey") == entry.get("idempotencyKey")]
        print(
            f"   answered {entry['status']} (Retry-After 1 s) to batch {entry.get('idempotencyKey')};"
            f" resent with the same Idempotency-Key: {'delivered' if again else 'NOT delivered'}"
        )
        if not again:
            problems.append("the batch answered 503 was not resent")
    if posts:
        runs = [r for p in posts for r in p.get("runs") or []]
        keys = [p.get("idempotencyKey") for p in posts]
        by_path = Counter(p["path"] for p in posts)
        print(f"   runs received: {len(runs)} ({len(set(runs))} distinct) {dict(by_path)}")
        print(f"   batch sizes: {sorted(Counter(len(p.get('runs') or []) for p in posts).items())}")
        print(f"   Idempotency-Key on every batch: {all(keys)}; distinct: {len(set(keys))}")
        if len(set(keys)) != len(keys):
            problems.append("a batch was delivered twice")
        sigs = [p.get("signatureValid") for p in posts]
        print(f"   Standard Webhooks signature verified: {sum(1 for s in sigs if s)}/{len(sigs)}")
        print(f"   headers seen: {sorted(set().union(*(p['headers'] for p in posts)))}")
        key_hash = hashlib.sha256(DEMO_API_KEY.encode()).hexdigest()[:12]
        key_ok = all(p.get("secretHeaders", {}).get("x-api-key") == key_hash for p in posts)
        print(
            f"   x-api-key resolved from $DEMO_API_KEY at send time: {key_ok} (value never shown)"
        )
        if not key_ok:
            problems.append("a batch came without the resolved x-api-key")
        if len(set(runs)) != len(runs):
            problems.append("the receiver got a run twice")
        if not all(keys):
            problems.append("a batch came without an Idempotency-Key")
        if any(s is False for s in sigs):
            problems.append("a batch had an invalid signature")
    if dispatched and not posts:
        problems.append("dispatch passed but the receiver got nothing")
    for problem in problems:
        print(f"   PROBLEM: {problem}")
    return problems


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="reconciler-demo-"))
    receiver = None
    try:
        banner("Setting up")
        receiver, port, ca_pem, log = start_receiver(work, fail_first_post=True)
        tree = prepare_tree(work, port, ca_pem)
        store = f"sqlite:///{work / 'store.db'}"
        print(f"   config repo: {tree}")
        print(f"   store:       {store}")
        print(
            f"   receiver:    https://127.0.0.1:{port} (own process, pid {receiver.pid}, fresh CA)"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
        env.update(
            NO_COLOR="1",
            PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
            DEMO_API_KEY=DEMO_API_KEY,
            DEMO_SIGNING_SECRET=DEMO_SIGNING_SECRET,
        )
        env.pop("RECONCILER_STORE", None)

        orders = tree / "flows.d" / "Sales" / "orders.yaml"
        typo = tree / "flows.d" / "Sales" / "typo.yaml"
        original = orders.read_text()

        def make_typo() -> None:  # a new flow with a misspelt key
            typo.write_text(
                original.replace("name: Order Processing", "name: Returns").replace(
                    "mappings:", "mapings:"
                )
            )

        def edit_flow() -> None:
            orders.write_text(original.replace("value: sales", "value: sales-emea"))

        def edit_store_by_hand() -> None:  # someone "fixes" a flow in the database directly
            with sqlite3.connect(work / "store.db") as db:
                db.execute(
                    "UPDATE flows SET spec = json_set(spec, '$.description', 'edited in SQL') "
                    "WHERE name = 'Order Processing'"
                )

        steps = [
            Step("create store", ["store", "migrate"]),
            Step("validate", ["validate"]),
            Step(
                "a typo, caught",
                ["validate"],
                ok=(1,),
                before=make_typo,
                after=lambda: typo.unlink(),
            ),
            Step("plan", ["plan"], needs=("create store",)),
            Step("apply", ["apply"], needs=("create store",)),
            Step("plan after apply", ["plan", "--detailed-exitcode"], needs=("apply",)),
            Step("plan an edit", ["plan"], needs=("apply",), before=edit_flow),
            Step("apply the edit", ["apply"], needs=("plan an edit",)),
            Step(
                "drift, seen",
                ["plan", "--detailed-exitcode"],
                ok=(2,),
                needs=("apply the edit",),
                before=edit_store_by_hand,
            ),
            Step("apply restores it", ["apply"], needs=("drift, seen",)),
            Step("check endpoints", ["check"], needs=("create store",)),
            Step("import runs", ["runs", "import", "runs.ndjson"], needs=("create store",)),
            Step("preview requests", ["requests", "preview"], needs=("import runs",)),
            Step("dispatch", ["requests", "dispatch"], needs=("preview requests",)),
            Step("request status", ["requests", "status"], needs=("dispatch",)),
            Step("store status", ["status"], needs=("apply",)),
            Step(
                "status page",
                ["status", "--format", "html", "--output", str(STATUS_PAGE)],
                needs=("apply",),
            ),
            Step("history", ["history", "--flow", "Order Processing"], needs=("apply",)),
            Step("CODEOWNERS from owners", ["codeowners", "--stdout"]),
        ]
        done: set[str] = set()
        for step in steps:
            run_step(step, tree, store, env, done)
        problems = receiver_report(log, "dispatch" in done)

        banner("Summary")
        for step in steps:
            print(f"   {step.title:<24} {step.result}")
        if any(DEMO_API_KEY in step.output for step in steps):
            problems.append("the demo secret appeared in the tool's output")
        failed = [s.title for s in steps if s.result.startswith("FAILED")]
        skipped = [s.title for s in steps if s.result.startswith("SKIPPED")]
        if skipped:
            print(
                f"\n   {len(skipped)} {'step' if len(skipped) == 1 else 'steps'} skipped, each with its reason above."
            )
        if failed or problems:
            print(f"\n   DEMO FAILED: {', '.join(failed + problems)}")
            return 1
        print(f"\n   Demo passed: {len(steps) - len(skipped)} steps ran, all ok.")
        if STATUS_PAGE.exists():
            print(f"   Status page: {STATUS_PAGE.as_uri()} (open it in a browser)")
        return 0
    finally:
        if receiver is not None:
            receiver.terminate()
            try:
                receiver.wait(timeout=10)
            except subprocess.TimeoutExpired:
                receiver.kill()
                receiver.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
