"""Real HTTPS servers on 127.0.0.1 for tests and benches (asyncio, trustme certificates).

`HTTPSServer` runs in a background thread of the test process and records every TCP
connection and every request (method, path, headers, body), so a test can prove what was
(not) sent. `serve_forever` is the same server for a separate process (bench)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Self

import httpcore
import trustme


@dataclass(frozen=True)
class Route:
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    body: bytes = b"ok"


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = 0.0  # time.monotonic() when the request head had arrived


@dataclass
class ServerState:
    routes: dict[str, Route] = field(default_factory=dict)
    default: Route = field(default_factory=Route)
    script: list[Route] = field(default_factory=list)  # answered first, in turn, on any path
    connections: int = 0
    requests: list[Recorded] = field(default_factory=list)


async def _read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, dict[str, str], bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = [*lines[0].split(" ", 2), "", ""][:3]
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = b""
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = b"<chunked>" + await reader.read(65536)  # never expected from our client
    return method, path, headers, body


async def _handle(
    state: ServerState,
    context: ssl.SSLContext | None,
    hang: bool,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> None:
    state.connections += 1
    try:
        if hang:  # accepts TCP, never says anything
            await asyncio.sleep(3600)
        if context is not None:
            await writer.start_tls(context)
        while True:
            request = await _read_request(reader)
            if request is None:
                return
            method, path, headers, body = request
            state.requests.append(Recorded(method, path, headers, body, time.monotonic()))
            if state.script:
                route = state.script.pop(0)
            else:
                route = state.routes.get(path.split("?", 1)[0], state.default)
            if route.delay:
                await asyncio.sleep(route.delay)
            try:
                phrase = HTTPStatus(route.status).phrase
            except ValueError:
                phrase = "Status"
            payload = b"" if method == "HEAD" else route.body
            head = f"HTTP/1.1 {route.status} {phrase}\r\nContent-Length: {len(route.body)}\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in route.headers)
            writer.write(head.encode("latin-1") + b"\r\n" + payload)
            await writer.drain()
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, OSError):
        return
    except asyncio.CancelledError:  # server stopping
        return
    finally:
        with contextlib.suppress(Exception):
            writer.close()


def server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


class LoopThreadServer:
    """An asyncio server on a loop in a daemon thread; subclasses say what `_start` serves.
    Used as a context manager: listening on enter, every task cancelled on exit."""

    def __init__(self) -> None:
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None

    async def _start(self) -> asyncio.AbstractServer:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            assert self._server is not None
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


class RawServer(LoopThreadServer):
    """Answers every request with the exact bytes of `replies` in turn (then closes if
    `close` is set): framings the HTTPSServer never uses."""

    def __init__(self, cert: trustme.LeafCert, replies: list[bytes], *, close: bool) -> None:
        self.context = server_context(cert)
        self.replies = list(replies)
        self.close = close
        self.connections = 0
        super().__init__()

    async def _start(self) -> asyncio.AbstractServer:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            try:
                while self.replies and await _read_request(reader) is not None:
                    writer.write(self.replies.pop(0))
                    await writer.drain()
                    if self.close:
                        break
            finally:
                writer.close()

        return await asyncio.start_server(serve, "127.0.0.1", 0, ssl=self.context)


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's socket layer, instrumented: every connect is recorded (host, port)."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class HTTPSServer(LoopThreadServer):
    """One listening socket on 127.0.0.1 (or ::1) in a background thread."""

    def __init__(
        self,
        cert: trustme.LeafCert | None,
        *,
        routes: dict[str, Route] | None = None,
        default: Route | None = None,
        hang: bool = False,
        host: str = "127.0.0.1",
        script: list[Route] | None = None,
    ) -> None:
        self.state = ServerState(
            routes=dict(routes or {}), default=default or Route(), script=list(script or [])
        )
        self.context = server_context(cert) if cert is not None else None
        self.hang = hang
        self.host = host
        super().__init__()

    async def _start(self) -> asyncio.AbstractServer:
        return await asyncio.start_server(
            lambda r, w: _handle(self.state, self.context, self.hang, r, w), self.host, 0
        )

    @property
    def connections(self) -> int:
        return self.state.connections

    @property
    def requests(self) -> list[Recorded]:
        return list(self.state.requests)

    def url(self, path: str = "/", host: str | None = None) -> str:
        name = host or self.host
        if ":" in name:
            name = f"[{name}]"
        return f"https://{name}:{self.port}{path}"


@contextlib.contextmanager
def serving(cert: trustme.LeafCert | None, **kwargs: object) -> Iterator[HTTPSServer]:
    with HTTPSServer(cert, **kwargs) as server:  # type: ignore[arg-type]
        yield server


async def _serve(chain_pem: str, count: int, delay: float) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain_pem)
    state = ServerState(default=Route(delay=delay))
    servers = [
        await asyncio.start_server(
            lambda r, w: _handle(state, None, False, r, w),
            "127.0.0.1",
            0,
            ssl=context,
            backlog=1024,
        )
        for _ in range(count)
    ]
    ports = [int(server.sockets[0].getsockname()[1]) for server in servers]
    print(json.dumps({"ports": ports}), flush=True)
    # Serve until the parent closes our stdin (or kills us), then report what we saw.
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    methods = sorted({r.method for r in state.requests})
    print(json.dumps({"requests": len(state.requests), "methods": methods}), flush=True)
    for server in servers:
        server.close()


def main() -> None:
    """`python -m tests.https_servers CHAIN.pem COUNT DELAY`: COUNT HTTPS listeners on
    127.0.0.1 answering every request after DELAY seconds (the bench's receivers)."""
    chain, count, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(chain, count, delay))


if __name__ == "__main__":
    main()
