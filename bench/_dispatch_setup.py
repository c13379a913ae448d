"""What the dispatch benches share: certificates for the local HTTPS receiver, the receiver
process, the configuration tree with one flow, and the children's environment."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The end of a receiver script (after its request loop) that serves it on argv's port with
# argv's certificate: each bench's receiver is its handler's loop followed by this.
RECEIVER_SERVE = """\
    except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError, OSError):
        pass
    finally:
        writer.close()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", port, ssl=context, backlog=1024)
    async with server:
        await server.serve_forever()

asyncio.run(main())
"""

FLOW = """\
apiVersion: reconciler/v1
kind: Flow
name: Bench
mappings:
  - workflowName: la-bench
resubmit:
  url: {url}
  headers:
    - name: x-api-key
      valueFrom: {{env: BENCH_API_KEY}}
dispatch:
  batchSize: {batch}
  concurrency: {concurrency}
  timeoutSeconds: 30
  maxAttempts: 5
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"receiver did not listen on {port}")


def write_certs(work: Path) -> None:
    """ca.pem, cert.pem (for 127.0.0.1) and key.pem in work."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    ca.cert_pem.write_to_path(str(work / "ca.pem"))
    cert.cert_chain_pems[0].write_to_path(str(work / "cert.pem"))
    cert.private_key_pem.write_to_path(str(work / "key.pem"))


def start_receiver(stack: contextlib.ExitStack, script: str, work: Path, *extra: str) -> int:
    """The receiver script in its own process, listening on a free port with work's cert;
    stopped when the stack closes. Returns the port."""
    port = free_port()
    receiver = subprocess.Popen(
        [
            sys.executable,
            "-c",
            script,
            str(work / "cert.pem"),
            str(work / "key.pem"),
            str(port),
            *extra,
        ]
    )
    stack.callback(_stop, receiver)
    wait_port(port)
    return port


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(10)


def write_tree(work: Path, url: str, batch: int, concurrency: int) -> Path:
    """work/repo: a config trusting work's CA and one flow posting to url."""
    repo = work / "repo"
    (repo / "flows.d").mkdir(parents=True)
    (repo / "requests.d").mkdir()
    (repo / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\n"
        f"network:\n  allow: ['127.0.0.1/32']\n  caBundle: {work / 'ca.pem'}\n"
    )
    (repo / "flows.d" / "bench.yaml").write_text(
        FLOW.format(url=url, batch=batch, concurrency=concurrency)
    )
    return repo


def child_env() -> dict[str, str]:
    """The children's environment, with the tool byte-compiled."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "BENCH_API_KEY": "bench-secret-value"}
    env.pop("GITHUB_ACTIONS", None)
    # Byte-compiled, as installed packages are (pip compiles httpx for the bare loop; this
    # sandbox sets PYTHONDONTWRITEBYTECODE, which would make every dispatch compile the tool
    # from source). __pycache__/ is git-ignored.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO / "reconciler")],
        check=True,
        env=env,
    )
    return env
