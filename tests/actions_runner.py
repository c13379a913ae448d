"""A small, strict runner for OUR workflows and composite action, so tests execute them as
GitHub would: the same steps, in the same order, with the same shell scripts, inputs,
outputs (GITHUB_OUTPUT), step summary and expressions.

It supports exactly what our files use and fails loudly on anything else (an unknown
expression, an `if:`, a foreign action other than the setup/checkout ones a runner
provides), so a workflow change that this runner cannot honour breaks the tests instead of
being skipped. The action's install step is not run: the tool under test is put on PATH."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parent.parent
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
TERNARY = re.compile(r"^(.+?)\s*==\s*(.+?)\s*&&\s*'([^']*)'\s*\|\|\s*'([^']*)'$")
PROVIDED = ("actions/checkout@", "actions/setup-python@")  # the runner's job, not ours
UPLOAD_ARTIFACT = "actions/upload-artifact@"  # kept in tmp/artifacts/NAME, as GitHub keeps it


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text())


@dataclass
class StepResult:
    id: str | None
    name: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class Runner:
    """One job's worth of context: `github`, `secrets`, `env`, `steps`."""

    workdir: Path
    tmp: Path
    github: dict[str, Any]
    secrets: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    steps: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    results: list[StepResult] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bin = self.tmp / "bin"
        self.bin.mkdir(parents=True, exist_ok=True)
        shim = self.bin / "reconciler"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m reconciler "$@"\n')
        shim.chmod(0o755)
        self.summary = self.tmp / "step-summary.md"
        self.summary.touch()

    # -- expressions ------------------------------------------------------------------
    def _lookup(self, path: str, inputs: dict[str, str] | None) -> str:
        path = path.strip()
        if path.startswith("'") and path.endswith("'"):
            return path[1:-1]
        root, _, rest = path.partition(".")
        scopes: dict[str, Any] = {
            "github": self.github,
            "secrets": self.secrets,
            "env": self.env,
            "steps": self.steps,
            "inputs": inputs if inputs is not None else {},
            "runner": {"temp": str(self.tmp)},
        }
        if root not in scopes or (root == "inputs" and inputs is None):
            raise AssertionError(f"unsupported expression context: {path}")
        value: Any = scopes[root]
        for part in rest.split(".") if rest else []:
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif root == "secrets":
                return ""  # an unset secret is empty on GitHub too
            else:
                raise AssertionError(f"unknown expression: {path}")
        if value is None:
            return ""
        return str(value)

    def evaluate(self, text: str, inputs: dict[str, str] | None = None) -> str:
        def one(match: re.Match[str]) -> str:
            expr = match.group(1)
            ternary = TERNARY.match(expr)
            if ternary:
                left, right, yes, no = ternary.groups()
                equal = self._lookup(left, inputs) == self._lookup(right, inputs)
                return yes if equal else no
            return self._lookup(expr, inputs)

        return EXPR.sub(one, text)

    # -- execution --------------------------------------------------------------------
    def _process_env(self, step_env: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
        env.pop("RECONCILER_STORE", None)
        env.update(self.extra_env)
        env.update(self.env)
        env.update(step_env)
        env.update(
            GITHUB_ACTIONS="true",
            CI="true",
            NO_COLOR="1",
            PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '')}",
            PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
            RUNNER_TEMP=str(self.tmp),
            GITHUB_RUN_ID="1",
            GITHUB_STEP_SUMMARY=str(self.summary),
            GITHUB_REPOSITORY=str(self.github.get("repository", "")),
            GITHUB_SHA=str(self.github.get("sha", "")),
            GITHUB_ACTION_PATH=str(REPO),
        )
        return env

    def _bash(
        self, script: str, env: dict[str, str], cwd: Path
    ) -> tuple[int, str, str, dict[str, str]]:
        output_file = self.tmp / f"output-{len(self.results)}"
        output_file.write_text("")
        env = {**env, "GITHUB_OUTPUT": str(output_file)}
        # GitHub's `shell: bash`: bash --noprofile --norc -eo pipefail {0}
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        outputs = dict(
            line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
        )
        return proc.returncode, proc.stdout, proc.stderr, outputs

    def run_action(
        self, with_: dict[str, Any], step_env: dict[str, str]
    ) -> tuple[int, str, str, dict[str, str]]:
        action = load_yaml(REPO / "action.yml")
        inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
        for key, value in with_.items():
            if key not in inputs:
                raise AssertionError(f"action.yml has no input {key!r}")
            inputs[key] = self.evaluate(str(value))
        run_steps = [s for s in action["runs"]["steps"] if s.get("id") == "run"]
        assert len(run_steps) == 1
        step = run_steps[0]
        env = {k: self.evaluate(str(v), inputs) for k, v in step.get("env", {}).items()}
        cwd = self.workdir / self.evaluate(step.get("working-directory", "."), inputs)
        code, out, err, outputs = self._bash(
            step["run"], self._process_env({**step_env, **env}), cwd
        )
        return code, out, err, outputs

    def upload_artifact(self, with_: dict[str, Any]) -> tuple[int, str, str, dict[str, str]]:
        """actions/upload-artifact for one file: kept under tmp/artifacts/NAME; its
        `artifact-url` output points there. A missing file is a warning, as asked."""
        unknown = set(with_) - {"name", "path", "if-no-files-found"}
        if unknown:
            raise AssertionError(f"upload-artifact inputs not supported: {sorted(unknown)}")
        source = self.workdir / self.evaluate(str(with_["path"]))
        if not source.is_file():
            if with_.get("if-no-files-found") != "warn":
                return 1, "", f"no file at {source}", {}
            return 0, "", f"warning: no file at {source}", {}
        target = self.tmp / "artifacts" / str(with_["name"]) / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
        return 0, "", "", {"artifact-id": "1", "artifact-url": target.as_uri()}

    def run_job(self, workflow: Path, job: str) -> list[StepResult]:
        spec = load_yaml(workflow)["jobs"][job]
        self.env = {k: self.evaluate(str(v)) for k, v in spec.get("env", {}).items()}
        failed = False
        for step in spec["steps"]:
            name = step.get("name") or step.get("uses") or "run"
            if step.get("if", "always()") != "always()":
                raise AssertionError(f"step {name!r}: this `if:` is not supported by the runner")
            if failed and step.get("if") != "always()":
                continue  # a failed step skips the rest, as on GitHub
            step_env = {k: self.evaluate(str(v)) for k, v in step.get("env", {}).items()}
            uses = step.get("uses")
            if uses and uses.startswith(PROVIDED):
                continue
            if uses and uses.startswith(UPLOAD_ARTIFACT):
                code, out, err, outputs = self.upload_artifact(step.get("with", {}))
            elif uses == "./":
                code, out, err, outputs = self.run_action(step.get("with", {}), step_env)
            elif uses:
                raise AssertionError(f"step {name!r}: action {uses} is not supported")
            else:
                code, out, err, outputs = self._bash(
                    self.evaluate(step["run"]), self._process_env(step_env), self.workdir
                )
            result = StepResult(step.get("id"), name, code, out, err, outputs)
            self.results.append(result)
            if step.get("id"):
                self.steps[step["id"]] = {"outputs": outputs}
            failed = failed or code != 0
        return self.results
