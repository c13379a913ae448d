"""README.md's quickstart, run as written: its commands, files and shown output come from
the README itself, so the README cannot drift from what the CLI does. Each `$ command` line
runs through the real CLI in a subprocess against a SQLite store in a temp folder; the lines
shown after it must appear in what the user sees."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import trustme

from tests.conftest import REPO, run_cli
from tests.dispatch_support import Receiver

EXAMPLE_URL = "https://integration.example.com/orders/resubmit"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


def quickstart_blocks() -> list[tuple[str, str]]:
    """The fenced (language, body) blocks between "## Quickstart" and the next section."""
    text = (REPO / "README.md").read_text()
    section = text.split("\n## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(section)]


def sessions(body: str) -> list[tuple[str, list[str]]]:
    """A shell block's `$ command` lines, each with the output lines the README shows."""
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:].split("  #", 1)[0].strip(), []))
        elif steps:
            steps[-1][1].append(line)
    return steps


def run(command: str, repo: Path, env: dict[str, str]) -> tuple[int, list[str]]:
    """A README command line (`VAR=value reconciler ...`) through the real CLI."""
    args = shlex.split(command)
    extra: dict[str, str] = {}
    while "=" in args[0]:  # leading VAR=value words set the environment, as in a shell
        name, value = args.pop(0).split("=", 1)
        extra[name] = value
    assert args[0] == "reconciler", command
    out = run_cli(*args[1:], cwd=repo, env=env | extra)
    return out.returncode, (out.stdout + out.stderr).splitlines()


def test_the_readme_quickstart_runs_as_written(tmp_path: Path) -> None:
    blocks = quickstart_blocks()
    init = blocks[0][1].strip()
    assert init == "reconciler init my-flows && cd my-flows && git init", init
    done = run_cli("init", "my-flows", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    repo = tmp_path / "my-flows"
    env = {"RECONCILER_STORE": f"sqlite:///{tmp_path / 'store.db'}", "GITHUB_ACTOR": "alice"}

    # The README's endpoint is an example: a real HTTPS server on 127.0.0.1 stands in for
    # it, allowed and trusted in the reconciler.yaml init wrote.
    ca = trustme.CA()
    ca_pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    config = repo / "reconciler.yaml"
    assert "  allow: []\n" in config.read_text()
    config.write_text(
        config.read_text().replace(
            "  allow: []\n", f"  allow: ['127.0.0.1/32']\n  caBundle: {ca_pem}\n"
        )
    )
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        url = receiver.url("/orders/resubmit")
        blocks = [(lang, body.replace(EXAMPLE_URL, url)) for lang, body in blocks]
        walk_through(blocks, repo, env)
        [hit] = receiver.hits
    assert hit.headers["x-api-key"] == "..." and hit.headers["x-team"] == "sales"
    # each record is sent back byte for byte: run-1 is the one Error run in the window
    run_1 = (repo / "runs.ndjson").read_text().splitlines()[0]
    assert run_1.encode() in hit.body and b"run-2" not in hit.body, hit.body


def walk_through(blocks: list[tuple[str, str]], repo: Path, env: dict[str, str]) -> None:
    # The YAML blocks are the files the prose before each names: the user's edit of the flow
    # init wrote, then the request.
    flow_yaml, request_yaml = (body for lang, body in blocks if lang == "yaml")
    flow_path = repo / "flows.d/example/order-processing.yaml"
    assert flow_path.is_file(), "init writes the flow the README edits"
    flow_path.write_text(flow_yaml)
    shell = [sessions(body) for lang, body in blocks if lang == "sh"][1:]
    assert len(shell) == 3, shell
    (validate, plan, apply), (cat, imported), (preview, *later) = shell

    for command, shown in (validate, plan, apply):
        code, lines = run(command, repo, env)
        assert code == 0, lines
        for line in shown:
            assert line in lines, (line, lines)

    # `cat runs.ndjson` shows the file the user writes.
    assert cat[0] == "cat runs.ndjson"
    (repo / "runs.ndjson").write_text("\n".join(cat[1]) + "\n")
    code, lines = run(imported[0], repo, env)
    assert (code, lines) == (0, imported[1])

    (repo / "requests.d/2026-11-28-sap-outage.yaml").write_text(request_yaml)
    code, lines = run(preview[0], repo, env)
    assert (code, lines) == (0, preview[1])

    # The last commands show no output in the README: each succeeds and says what it did.
    expected = {
        "ORDERS_API_KEY=... reconciler requests dispatch": "1 request: 1 completed.",
        "reconciler requests status 2026-11-28-sap-outage": (
            "2026-11-28-sap-outage (resubmit): completed"
        ),
        "reconciler status": "Nothing needs attention.",
        "reconciler status --format html --output status.html": "wrote status.html",
    }
    assert [c for c, _ in later] == list(expected)
    for command, line in expected.items():
        code, lines = run(command, repo, env)
        assert code == 0 and line in lines, (command, lines)
    assert (repo / "status.html").read_text().startswith("<!")
