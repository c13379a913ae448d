"""Start-up cost of the commands that run on every merge and pull request: what the real
CLI imports (`PYTHONPROFILEIMPORTTIME` in a subprocess), and that it still does its work.

`check` and `requests dispatch` send through our own guarded sockets and streams
(connect.py, streams.py, poster.py), so neither may pull in httpx or httpcore; valid
files are checked by the precompiled validators, so jsonschema comes only for an invalid
one. The tool is timed as a whole process in bench/check.py and bench/dispatch.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import trustme

from tests.conftest import REPO, run_cli
from tests.dispatch_support import API_KEY, Receiver, record_text, seed_store, write_tree
from tests.https_servers import HTTPSServer

# Never on these command paths (a fifth of a short command's start-up between them).
HTTP_CLIENT = {"httpx", "httpcore", "anyio", "h2", "pygments"}
# Valid files are checked by the precompiled validators: jsonschema (and its format
# libraries) is imported only to explain an invalid one.
JSONSCHEMA = {"jsonschema", "referencing", "attrs", "arrow", "webcolors"}
# `check` probes on threads with blocking sockets: no event loop and no executor (with
# the logging they pull in, a fifth of its imports); host names reach ssl and getaddrinfo
# as bytes, already IDNA-encoded, so the idna codec (and unicodedata) stays out too.
CHECK_NEVER = {"asyncio", "concurrent", "logging", "encodings.idna"}


def imported(done: subprocess.CompletedProcess[str], *, top_level: bool = True) -> set[str]:
    """The packages (or every module) a run imported, from `-X importtime` lines on stderr."""
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name.split(".")[0] if top_level else name)
    return names


def profiled(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env={"PYTHONPROFILEIMPORTTIME": "1", **(env or {})}, timeout=60)


def test_check_imports_no_http_client_library(tmp_path: Path, ca: trustme.CA) -> None:
    repo = tmp_path / "repo"
    (repo / "flows.d").mkdir(parents=True)
    ca.cert_pem.write_to_path(str(repo / "ca.pem"))
    (repo / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\n"
        "network:\n  allow: ['127.0.0.1/32']\n  caBundle: ca.pem\n"
    )
    with HTTPSServer(ca.issue_cert("127.0.0.1")) as server:
        url = server.url("/orders/resubmit")
        (repo / "flows.d" / "orders.yaml").write_text(
            "apiVersion: reconciler/v1\nkind: Flow\nname: Orders\n"
            f"mappings:\n  - workflowName: la-orders\nresubmit:\n  url: {url}\n"
        )
        store = f"sqlite:///{tmp_path / 'store.db'}"
        args = ("--store", store, "--repo", str(repo), "check", "--format", "json")
        for _ in range(2):  # cold (validates the files), then warm (from the cache)
            done = profiled(*args)
            assert done.returncode == 0, done.stderr[-3000:]
            assert json.loads(done.stdout)["results"][0]["httpStatus"] == 200
            modules = imported(done)
            assert "reconciler" in modules and "ssl" in modules  # the profile is real
            unwanted = modules & (HTTP_CLIENT | JSONSCHEMA)
            unwanted |= imported(done, top_level=False) & CHECK_NEVER
            assert not unwanted, sorted(unwanted)
        assert [r.method for r in server.requests] == ["HEAD", "HEAD"]


def test_dispatch_imports_no_http_client_library(tmp_path: Path, ca: trustme.CA) -> None:
    ca_pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    store = f"sqlite:///{tmp_path / 'store.db'}"
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        write_tree(tmp_path, ca_pem=ca_pem, url=receiver.url())
        from reconciler.store.base import open_store

        opened = open_store(store, root=tmp_path)
        try:
            seed_store(opened, tmp_path, [record_text(i) for i in range(5)])
        finally:
            opened.close()
        shutil.rmtree(tmp_path / ".reconciler" / "cache")  # every file validated anew
        done = profiled(
            "--store",
            store,
            "--repo",
            str(tmp_path),
            "requests",
            "dispatch",
            "--format",
            "json",
            env={"ORDERS_API_KEY": API_KEY},
        )
        assert done.returncode == 0, done.stderr[-3000:]
        [outcome] = json.loads(done.stdout)["requests"]
        assert outcome["status"] == "completed" and outcome["runs"] == {"delivered": 5}
        assert sum(len(json.loads(hit.body)) for hit in receiver.hits) == 5
    modules = imported(done)
    assert "reconciler" in modules and "httptools" in modules  # the profile is real
    assert "fastjsonschema" in modules and "ruamel" in modules  # the files were validated
    unwanted = modules & (HTTP_CLIENT | JSONSCHEMA)
    assert not unwanted, sorted(unwanted)


def test_an_invalid_file_is_still_explained_by_jsonschema(tmp_path: Path) -> None:
    (tmp_path / "flows.d").mkdir()
    (tmp_path / "flows.d" / "orders.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Flow\nname: Orders\n"
        "mappings:\n  - workflowName: la-orders\nresubmit:\n  url: https://exa mple.com/x\n"
    )
    done = profiled("--repo", str(tmp_path), "validate", "--format", "json")
    assert done.returncode == 1, done.stderr[-3000:]
    [finding] = json.loads(done.stdout)["findings"]
    assert (finding["line"], finding["col"]) == (7, 8) and "not an absolute URI" in finding[
        "message"
    ]
    assert "jsonschema" in imported(done)


def test_a_finished_prefetch_leaves_no_thread_and_keeps_its_context() -> None:
    """`requests dispatch` loads the CAs on a thread from the start; before the tree's
    process pool forks, it waits for that thread to end (no thread across a fork)."""
    import ssl
    import threading

    from reconciler.http import trust

    trust.prefetch_trust()
    trust.prefetch_finished()
    assert not [t for t in threading.enumerate() if t.name == "reconciler-cas"]
    context = trust.trusting_context()  # the prefetched one, handed out once
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.cert_store_stats()["x509_ca"] > 0


def _python(code: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """`python -c code` in a fresh interpreter that imports this checkout."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def _exiting(body: str) -> subprocess.CompletedProcess[str]:
    """A process that ends through reconciler.cli.quick_exit (what `run()` ends with)."""
    return _python(
        "import atexit, sys, threading, time\nfrom reconciler.cli import quick_exit\n" + body
    )


def test_the_quick_exit_runs_exit_handlers_flushes_output_and_keeps_the_code() -> None:
    done = _exiting(
        "atexit.register(lambda: print('handler ran', file=sys.stderr))\n"
        "sys.stdout.write('x' * 1_000_000)\n"  # more than any pipe buffer holds
        "quick_exit(3)\n"
    )
    assert done.returncode == 3
    assert done.stdout == "x" * 1_000_000
    assert done.stderr == "handler ran\n"


def test_the_quick_exit_waits_for_a_working_thread_as_the_usual_exit_does(
    tmp_path: Path,
) -> None:
    marker = tmp_path / "finished"
    done = _exiting(
        "def work():\n"
        "    time.sleep(0.3)\n"
        f"    open({str(marker)!r}, 'w').close()\n"
        "threading.Thread(target=work).start()\n"
        "quick_exit(0)\n"
    )
    assert done.returncode == 0, done.stderr
    assert marker.exists()


def test_the_quick_exit_leaves_a_message_exit_to_python() -> None:
    done = _exiting("quick_exit('error: gone')\n")
    assert done.returncode == 1
    assert done.stderr == "error: gone\n"


def _program(tmp_path: Path, body: str) -> list[str]:
    """What `body` says (`say(...)`), run after the program's entry module was imported
    (as `python -m reconciler` and the console script do), in a fresh interpreter."""
    code = (
        "import gc, sys\n"
        "import reconciler.__main__\n"
        "from reconciler.cli import main\n"
        "def command(*args):\n"
        "    try:\n"
        "        main(list(args))\n"
        "    except SystemExit:\n"
        "        pass\n"
        "def say(*words):\n"
        "    print('@', *words)\n" + body
    )
    done = _python(code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return [line[2:] for line in done.stdout.splitlines() if line.startswith("@ ")]


def test_the_program_starts_without_the_collector_and_a_command_resumes_it(
    tmp_path: Path,
) -> None:
    lines = _program(
        tmp_path,
        "say(gc.isenabled())\n"
        "command('validate')\n"
        "say(gc.isenabled(), gc.get_freeze_count() > 1000)\n",
    )
    assert lines == ["False", "True True"]


def test_check_resumes_the_collector_once_its_start_up_is_over(tmp_path: Path) -> None:
    (tmp_path / "flows.d").mkdir()
    lines = _program(
        tmp_path,
        "import reconciler.load.tree as tree, reconciler.http.reachability as reach\n"
        "def spy(module, name):\n"
        "    real = getattr(module, name)\n"
        "    def called(*args, **kwargs):\n"
        "        say(name, gc.isenabled())\n"
        "        return real(*args, **kwargs)\n"
        "    setattr(module, name, called)\n"
        "spy(tree, 'load_tree'); spy(reach, 'check_endpoints')\n"
        "command('--store', 'sqlite:///store.db', 'check')\n",
    )
    assert lines == ["load_tree False", "check_endpoints True"]


def test_a_warm_check_starts_checking_while_its_tree_loads(tmp_path: Path, ca: trustme.CA) -> None:
    """With every file cached, the URLs go out to the probes as the tree loads; a cold
    tree is validated first (its process pool may fork: no thread may run then)."""
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    (tmp_path / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\n"
        "network:\n  allow: ['127.0.0.1/32']\n  caBundle: ca.pem\n"
    )
    (tmp_path / "flows.d").mkdir()
    with HTTPSServer(ca.issue_cert("127.0.0.1")) as server:
        for i in range(4):  # three distinct URLs
            (tmp_path / "flows.d" / f"flow-{i}.yaml").write_text(
                "apiVersion: reconciler/v1\nkind: Flow\n"
                f"name: Flow {i}\nmappings:\n  - workflowName: la-{i}\n"
                f"resubmit:\n  url: {server.url(f'/endpoint/{min(i, 2)}')}\n"
            )
        lines = _program(
            tmp_path,
            "import reconciler.load.tree as tree, reconciler.http.reachability as reach\n"
            "loading = []\n"
            "real_load, real_submit = tree.load_tree, reach.Probes.submit\n"
            "def load(*args, **kwargs):\n"
            "    loading.append(True)\n"
            "    try:\n"
            "        return real_load(*args, **kwargs)\n"
            "    finally:\n"
            "        loading.pop()\n"
            "def submit(self, url):\n"
            "    say('loading' if loading else 'loaded', url.rsplit('/', 1)[1])\n"
            "    return real_submit(self, url)\n"
            "tree.load_tree, reach.Probes.submit = load, submit\n"
            "for run in ('cold', 'warm'):\n"
            "    command('--store', 'sqlite:///store.db', 'check', '--format', 'json')\n"
            "    say(run, 'done')\n",
        )
        requests = [r.path for r in server.requests]
    assert lines == [
        *("loaded 0", "loaded 1", "loaded 2", "cold done"),
        *("loading 0", "loading 1", "loading 2", "loading 2"),  # as each flow comes in
        *("loaded 0", "loaded 1", "loaded 2", "warm done"),  # the rest: none left
    ]
    assert sorted(requests) == sorted(2 * ["/endpoint/0", "/endpoint/1", "/endpoint/2"])
