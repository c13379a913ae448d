"""Test support for dispatch: a scriptable HTTPS receiver on 127.0.0.1 (trustme), run
records, and a config tree + store to dispatch from."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import ipaddress
import json
import os
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

import trustme

from reconciler.core.delivery import DispatchSettings, FlowSend
from reconciler.core.netpolicy import IPAddress
from reconciler.core.statuses import StatusTable
from reconciler.http.attempt import BatchPoster
from reconciler.http.settings import NetworkSettings
from reconciler.load.config import load_config
from reconciler.load.tree import load_tree
from reconciler.services.dispatch import Dispatcher, RequestOutcome, selector
from reconciler.store import workers
from reconciler.store.base import open_store
from tests.https_servers import LoopThreadServer, _read_request, server_context

SIGNING_SECRET = "whsec_" + base64.b64encode(b"test-signing-key-0123456789abcdef").decode()
API_KEY = "sentinel-S3CR3T-api-key-7f1e"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    reset: bool = False  # read the request, then drop the connection with a TCP RST
    hang_up: bool = False  # read the request, then close the connection (no answer)
    close: bool = False  # answer with `Connection: close`, then close
    drip: float = 0.0  # seconds between the bytes of the answer
    drip_body_only: bool = False  # the head at once, then the body byte by byte
    body: bytes = b'{"ok":true}'


@dataclass(frozen=True)
class Hit:
    path: str
    key: str
    headers: dict[str, str]
    body: bytes
    attempt: int  # how many times this Idempotency-Key has been seen, this one included
    signature_ok: bool | None  # None: the receiver has no signing key
    at: float
    on_connection: int = 1  # 1: the first request on its connection; 2: the next ...
    idle: float = 0.0  # seconds the connection was idle before this request


Script = Callable[[Hit], Reply]


def verify_standard_webhook(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's own check, written from the Standard Webhooks spec."""
    raw = secret.removeprefix("whsec_")
    key = base64.b64decode(raw)
    msg_id = headers.get("webhook-id", "")
    ts = headers.get("webhook-timestamp", "")
    if not msg_id or not ts.isdigit() or abs(time.time() - int(ts)) > 300:
        return False
    signed = f"{msg_id}.{ts}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        part.startswith("v1,") and hmac.compare_digest(part[3:], expected)
        for part in headers.get("webhook-signature", "").split()
    )


@dataclass
class _State:
    script: Script
    secret: str | None
    connections: int = 0  # TCP connections accepted
    hits: list[Hit] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


async def _serve_connection(
    state: _State, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    with state.lock:
        state.connections += 1
    served = 0
    idle_since = time.monotonic()
    try:
        while True:
            request = await _read_request(reader)
            if request is None:
                return
            served += 1
            arrived = time.monotonic()
            _method, path, headers, body = request
            key = headers.get("idempotency-key", "")
            with state.lock:
                state.seen[key] = state.seen.get(key, 0) + 1
                ok = verify_standard_webhook(state.secret, headers, body) if state.secret else None
                hit = Hit(
                    path,
                    key,
                    headers,
                    body,
                    state.seen[key],
                    ok,
                    arrived,
                    served,
                    arrived - idle_since,
                )
                state.hits.append(hit)
            reply = state.script(hit)
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.reset:
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return
            if reply.hang_up:
                return
            try:
                phrase = HTTPStatus(reply.status).phrase
            except ValueError:
                phrase = "Status"
            head = f"HTTP/1.1 {reply.status} {phrase}\r\nContent-Length: {len(reply.body)}\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in reply.headers)
            if reply.close:
                head += "Connection: close\r\n"
            answer = head.encode("latin-1") + b"\r\n" + reply.body
            if reply.drip:
                at_once = len(answer) - len(reply.body) if reply.drip_body_only else 0
                writer.write(answer[:at_once])
                for i in range(at_once, len(answer)):
                    writer.write(answer[i : i + 1])
                    await writer.drain()
                    await asyncio.sleep(reply.drip)
            else:
                writer.write(answer)
                await writer.drain()
            if reply.close:
                return
            idle_since = time.monotonic()
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, OSError):
        return
    finally:
        with contextlib.suppress(Exception):
            writer.close()


class Receiver(LoopThreadServer):
    """An HTTPS endpoint in a background thread that records every POST and answers as
    `script` says (by default 200)."""

    def __init__(
        self,
        cert: trustme.LeafCert,
        script: Script | None = None,
        *,
        secret: str | None = None,
    ) -> None:
        self.state = _State(script or (lambda hit: Reply()), secret)
        self.context = server_context(cert)
        super().__init__()

    async def _start(self) -> asyncio.AbstractServer:
        return await asyncio.start_server(
            lambda r, w: _serve_connection(self.state, r, w), "127.0.0.1", 0, ssl=self.context
        )

    def set_script(self, script: Script) -> None:
        self.state.script = script

    @property
    def connections(self) -> int:
        with self.state.lock:
            return self.state.connections

    @property
    def hits(self) -> list[Hit]:
        with self.state.lock:
            return list(self.state.hits)

    def url(self, path: str = "/resubmit") -> str:
        return f"https://127.0.0.1:{self.port}{path}"


# -- records, tree, store ----------------------------------------------------------------
def record_text(i: int, *, status_id: int = 2, workflow: str = "la-orders", chain: str = "") -> str:
    """An Invictus run record as exact text: odd spacing, unicode and unknown fields, so a
    re-serialisation would show."""
    record = {
        "id": f"run-{i:06d}",
        "workFlowRunId": f"0858{i:010d}CU150",
        "chainId": chain or f"chain-{i % 7}",
        "executionTime": f"2026-11-28T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}.000Z",
        "workflowName": workflow,
        "statusId": status_id,
        "properties": {"Domain": "Sales", "OrderId": f"A-{i}", "Note": "ünïcode ✓"},
        "appName": None,
        "x_unknown": [1, 2.50, {"nested": True}],
    }
    text = json.dumps(record, ensure_ascii=False, separators=(", ", ": "))
    return text


FLOW_YAML = """\
apiVersion: reconciler/v1
kind: Flow
name: {name}
mappings:
  - workflowName: {workflow}
resubmit:
  url: {url}
  headers:
    - name: x-api-key
      valueFrom: {{env: ORDERS_API_KEY}}
    - name: x-team
      value: sales
resume:
  url: {url}
dispatch:
  batchSize: {batch_size}
  concurrency: {concurrency}
  timeoutSeconds: {timeout}
  maxAttempts: {max_attempts}
{signing}"""

REQUEST_YAML = """\
apiVersion: reconciler/v1
kind: ResubmitRequest
name: {name}
reason: SAP was down, INC-1234
action: {action}
flows: [{flows}]
select:
  status: [{status}]
limits:
  maxRuns: {max_runs}
"""


def write_tree(
    root: Path,
    *,
    ca_pem: Path,
    url: str,
    flow: str = "Order Processing",
    workflow: str = "la-orders",
    batch_size: int = 10,
    concurrency: int = 2,
    timeout: float = 5,
    max_attempts: int = 5,
    signing: bool = False,
    requests: dict[str, dict[str, Any]] | None = None,
) -> None:
    (root / "flows.d").mkdir(parents=True, exist_ok=True)
    (root / "requests.d").mkdir(parents=True, exist_ok=True)
    (root / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\n"
        f"network:\n  allow: ['127.0.0.1/32']\n  caBundle: {ca_pem}\n"
    )
    signing_line = "  signingSecretFrom: {env: ORDERS_SIGNING_SECRET}\n" if signing else ""
    (root / "flows.d" / "orders.yaml").write_text(
        FLOW_YAML.format(
            name=flow,
            workflow=workflow,
            url=url,
            batch_size=batch_size,
            concurrency=concurrency,
            timeout=timeout,
            max_attempts=max_attempts,
            signing=signing_line,
        )
    )
    for name, spec in (requests or {"2026-11-28-sap-outage": {}}).items():
        (root / "requests.d" / f"{name}.yaml").write_text(
            REQUEST_YAML.format(
                name=name,
                action=spec.get("action", "resubmit"),
                flows=spec.get("flows", flow),
                status=spec.get("status", "Error"),
                max_runs=spec.get("max_runs", 10000),
            )
        )


def seed_store(store: Any, root: Path, records: list[str]) -> None:
    """The tree's flows as `apply` leaves them, then a real `runs import` of the records."""
    from reconciler.load.tree import canonical_json, load_tree
    from reconciler.store.base import utcnow
    from reconciler.store.runimport import import_runs

    tree = load_tree(root)
    assert tree.valid, tree.findings
    with store.transaction():
        for item in tree.flows:
            store.execute(
                "INSERT INTO flows (name, folder, source_path, spec, managed, updated_at) "
                "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (name) DO NOTHING",
                (item.flow.name, item.folder, item.path, canonical_json(item.flow), utcnow()),
            )
    runs_file = root / "runs.ndjson"
    runs_file.write_text("".join(text + "\n" for text in records), encoding="utf-8")
    summary = import_runs(store, [str(runs_file)])
    assert summary.ok, summary


def seed_store_at(store_url: str, root: Path, records: list[str]) -> None:
    """`seed_store` on a store opened (and created) at `store_url` for this one job."""
    store = open_store(store_url, root=root)
    try:
        seed_store(store, root, records)
    finally:
        store.close()


def dispatch_in_process(
    root: Path, store_url: str, dns: dict[str, str] | None = None
) -> list[RequestOutcome]:
    """`requests dispatch` in process; `dns` answers name lookups (host -> address)."""
    tree = load_tree(root)
    assert tree.valid, tree.findings
    network = NetworkSettings.from_config(load_config(root), root)

    async def resolve(host: str, port: int) -> list[IPAddress]:
        assert dns is not None
        return [ipaddress.ip_address(dns[host])]

    def factory(send: FlowSend) -> BatchPoster:
        return BatchPoster(network, send, resolver=resolve if dns is not None else None)

    store = open_store(store_url, root=root)
    try:
        return Dispatcher(
            store=store,
            tree=tree,
            selector=selector(StatusTable.default()),
            client_factory=factory,
            settings=DispatchSettings.from_environ(os.environ),
            environ=os.environ,
            worker=workers.new_worker_id(),
            connect=lambda: open_store(store_url, root=root, migrate=False),
        ).run()
    finally:
        store.close()
