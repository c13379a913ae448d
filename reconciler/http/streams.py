"""Guarded connections as asyncio streams, for `requests dispatch`'s keep-alive poster and
the httpx transports of `reconciler.http.guard`: the same four steps as
`connect.open_guarded_socket` (resolve once, screen every address with the network policy,
connect only to a screened address, verify TLS against the URL's host name) on asyncio's
native TLS transport."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from reconciler.core.netpolicy import IPAddress, NetPolicy, literal_address
from reconciler.http.connect import DnsFailure, addresses_of, gai_text, screen

AsyncResolver = Callable[[str, int], Awaitable[list[IPAddress]]]


async def resolve_async(host: str, port: int) -> list[IPAddress]:
    """The loop's resolver (`host` is ASCII: IDNA-encoded by the caller)."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DnsFailure(host, gai_text(exc)) from exc
    return addresses_of(infos)


Connector = Callable[..., Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


class GuardedStream(NamedTuple):
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    address: IPAddress  # the screened address the socket is connected to


class Closings:
    """Connections closing in the background: each sends its TLS close_notify and waits
    for the peer's on its own, from the moment it is closed, so that at the end only the
    last few are left to wait for (not hundreds of waits started at once)."""

    def __init__(self) -> None:
        self._pending: dict[asyncio.Future[None], asyncio.StreamWriter] = {}

    def close(self, writer: asyncio.StreamWriter) -> None:
        writer.close()
        waiting = asyncio.ensure_future(writer.wait_closed())
        self._pending[waiting] = writer
        waiting.add_done_callback(self._closed)

    def _closed(self, waiting: asyncio.Future[None]) -> None:
        self._pending.pop(waiting, None)
        if not waiting.cancelled():
            # wait_closed() re-raises a connection's error (e.g. a reset): nothing to act on
            # (retrieved so that asyncio does not log it).
            waiting.exception()

    async def finish(self, grace: float = 1.0) -> None:
        """Let the connections still closing finish their TLS shutdown; abort those that
        take longer than `grace`."""
        if not self._pending:
            return
        _, late = await asyncio.wait(list(self._pending), timeout=grace)
        for waiting in late:
            writer = self._pending.pop(waiting, None)
            waiting.cancel()
            if writer is not None:
                writer.transport.abort()


async def open_guarded_stream(
    policy: NetPolicy,
    host: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext,
    timeout: float,
    resolver: AsyncResolver | None = None,
    connector: Connector | None = None,
) -> GuardedStream:
    """Resolve, screen, connect to a screened address, TLS-verify against `host`.

    The same four steps as the httpx backends of `guard` and `connect.open_guarded_socket`,
    on plain asyncio streams: used where httpx's per-request cost shows (dispatch posting
    thousands of batches). Raises PolicyRefusal, DnsFailure, TimeoutError, OSError or
    ssl.SSLError. `connector` replaces asyncio.open_connection (tests)."""
    deadline = time.monotonic() + timeout
    try:
        async with asyncio.timeout(timeout):
            addresses = await (resolver or resolve_async)(host, port)
    except TimeoutError:
        raise DnsFailure(host, "DNS lookup timed out") from None
    screening = screen(policy, host, addresses)
    connect = connector or asyncio.open_connection
    last: BaseException | None = None
    for address in screening.permitted:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            async with asyncio.timeout(left):
                reader, writer = await connect(
                    str(address), port, ssl=ssl_context, server_hostname=host
                )
            return GuardedStream(reader, writer, address)
        except ssl.SSLError:
            raise  # the certificate will not get better at another address
        except (OSError, TimeoutError) as exc:
            last = exc
    raise last if last is not None else TimeoutError("connect timed out")
