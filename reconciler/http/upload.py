"""A network stream that stops an upload once the server has answered.

A server may answer before the request body is in -- 413 Payload Too Large, 401 -- and
close the connection. httpcore reads that answer when a write fails (it suppresses the
WriteError and goes on to the response), but on asyncio a failed write closes the
transport, and the answer waiting in the socket is lost with it: the attempt would end as
a ReadError and be retried. So a body is written in slices, and before each slice after
the first the socket is looked at: if the server has sent something, what it sent is kept
for httpcore's next read and the upload stops with httpcore's WriteError -- the answer is
then read and classified like any other.
"""

from __future__ import annotations

import select
import socket
import ssl

import httpcore

SLICE = 256 * 1024
# How long a look at a readable socket may wait for the server's bytes to decrypt. A TLS
# 1.3 server's session tickets make a new connection readable with nothing for us in it.
LOOK_SECONDS = 0.02


class EarlyAnswerStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._held = b""  # the server's bytes read during an upload, for the next read
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._held:
            data, self._held = self._held[:max_bytes], self._held[max_bytes:]
            return data
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        for start in range(0, len(buffer), SLICE):
            if start and await self._answered():
                raise httpcore.WriteError("the server answered before the request was sent")
            await self._inner.write(buffer[start : start + SLICE], timeout)

    async def _answered(self) -> bool:
        if self._socket is None or not _readable(self._socket):
            return False
        try:
            data = await self._inner.read(SLICE, timeout=LOOK_SECONDS)
        except httpcore.ReadTimeout:
            return False  # TLS records only: nothing from the server's application
        except httpcore.ReadError:
            return True  # the connection is gone: reading the answer will say so
        self._held += data
        return True  # an answer, or the end of the stream

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        tls = await self._inner.start_tls(ssl_context, server_hostname, timeout)
        return EarlyAnswerStream(tls)

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


def _readable(sock: socket.socket) -> bool:
    """Whether the socket has bytes (or the end of the stream) waiting, without reading."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])
