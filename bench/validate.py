"""Benchmark: `reconciler validate` vs check-jsonschema on 10,000 generated flow files.

Same files, same schema (schemas/flow.schema.json), same run. Prints wall times and ratios
against the bars (docs/benchmarks.md): cold >= 3x faster than check-jsonschema, an
unchanged re-run (result cache) >= 20x. Also checks that every finding has a line:col.

    python bench/validate.py [--files 10000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "schemas" / "flow.schema.json"

TEMPLATE = """\
# yaml-language-server: $schema=../../schemas/flow.schema.json
apiVersion: reconciler/v1
kind: Flow
name: Flow {i:05d} {team}
description: Generated flow {i} for team {team}
mappings:
  - workflowName: la-{team_l}-{i:05d}
  - domain: {team}
    service: Service{svc}
    action: Action{act}
    version: "1.{ver}"
properties:
  - name: OrderId
  - name: Country
display:
  milestones: {milestones}
  eventText: true
  resubmitResume: true
resubmit:
  url: https://integration.example.com/{team_l}/{i}/resubmit
  headers:
    - name: x-api-key
      valueFrom: {{env: {team_u}_API_KEY}}
    - name: x-team
      value: {team_l}
{resume}dispatch:
  batchSize: {batch}
  concurrency: 4
  timeoutSeconds: 30
  maxAttempts: 5
owners: ["@{team_l}-integration"]
"""
RESUME = """\
resume:
  url: https://integration.example.com/{team_l}/{i}/resume
  headers:
    - name: x-api-key
      valueFrom: {{env: {team_u}_API_KEY}}
"""
TEAMS = ["Sales", "Finance", "Logistics", "Hr", "Procurement", "Service", "Marketing", "Legal"]


def generate(root: Path, count: int, broken_every: int) -> list[str]:
    files = []
    for i in range(count):
        team = TEAMS[i % len(TEAMS)]
        fields = {
            "i": i,
            "team": team,
            "team_l": team.lower(),
            "team_u": team.upper(),
            "svc": i % 17,
            "act": i % 5,
            "ver": i % 3,
            "milestones": "true" if i % 2 else "false",
            "batch": 10 + i % 90,
        }
        fields["resume"] = RESUME.format(**fields) if i % 3 else ""
        text = TEMPLATE.format(**fields)
        if broken_every and i % broken_every == 0:
            text = text.replace("  concurrency: 4", "  concurency: 4")  # unknown key
        rel = f"flows.d/{team}/Sub{i % 25:02d}/flow-{i:05d}.yaml"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        files.append(rel)
    return files


def timed(
    cmd: list[str], cwd: Path, env: dict[str, str]
) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument(
        "--broken-every", type=int, default=100, help="every Nth file has a mistake"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated tree")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-validate-"))
    try:
        files = generate(work, args.files, args.broken_every)
        (work / "schemas").mkdir()
        shutil.copy(SCHEMA, work / "schemas" / SCHEMA.name)
        env = {
            k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "RECONCILER_JOBS")
        }
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        ours = [sys.executable, "-m", "reconciler", "validate", "--format", "json"]
        peer_bin = Path(sys.executable).with_name("check-jsonschema")
        peer = [
            str(peer_bin) if peer_bin.exists() else "check-jsonschema",
            "--schemafile",
            "schemas/flow.schema.json",
            *files,
        ]
        print(
            f"{len(files)} flow files ({args.broken_every and len(files) // args.broken_every} "
            f"with a mistake), {os.cpu_count()} CPUs",
            flush=True,
        )

        cold, first = timed(ours, work, env)
        warm, second = timed(ours, work, env)
        peer_time, peer_done = timed(peer, work, env)

        report_cold = json.loads(first.stdout)
        report_warm = json.loads(second.stdout)
        findings = report_cold["findings"]
        positioned = all(f["line"] >= 1 and f["col"] >= 1 for f in findings)
        same = report_cold["findings"] == report_warm["findings"]
        peer_errors = peer_done.stdout.count("concurency")
        print(
            f"reconciler validate, cold:  {cold:7.2f} s  ({report_cold['errors']} errors, "
            f"exit {first.returncode})"
        )
        print(
            f"reconciler validate, warm:  {warm:7.2f} s  ({report_warm['cached']} of "
            f"{report_warm['files']} files from the cache, same findings: {same})"
        )
        print(
            f"check-jsonschema:           {peer_time:7.2f} s  (exit {peer_done.returncode}, "
            f"{peer_errors} files with the mistake reported)"
        )
        print(f"every finding has line:col: {positioned}")
        cold_ratio, warm_ratio = peer_time / cold, peer_time / warm
        ok_cold, ok_warm = cold_ratio >= 3, warm_ratio >= 20
        print(f"ratio cold: {cold_ratio:5.1f}x faster (bar >= 3x)  {'PASS' if ok_cold else 'FAIL'}")
        print(f"ratio warm: {warm_ratio:5.1f}x faster (bar >= 20x) {'PASS' if ok_warm else 'FAIL'}")
        if args.keep:
            print(f"tree kept in {work}")
        return 0 if ok_cold and ok_warm and positioned and same else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
