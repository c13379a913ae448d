"""Reading an HTTP/1.1 response with httptools (llhttp, in C): what dispatch's POSTs and
check's HEADs share (kept apart so that `check` does not import the poster)."""

from __future__ import annotations

from typing import Any

READ_BYTES = 64 * 1024
MAX_HEAD_BYTES = 64 * 1024


class ResponseReading:
    """httptools callbacks: the final response's status, headers and (the first `max_body`
    bytes of) body. Interim 1xx responses are skipped. (Also the `check` prober's
    reader of a response head.)"""

    def __init__(self, max_body: int) -> None:
        self.max_body = max_body
        self.status = 0
        self.reason = ""
        self.headers: dict[str, str] = {}
        self.parts: list[bytes] = []
        self.size = 0
        self.complete = False
        self.truncated = False
        self.extra = False  # bytes after the response: the connection is not reused
        self.until_close = False  # no length, not chunked: the body ends with the connection
        self.keep_alive = False  # HTTP/1.1 without `Connection: close`
        self._seen = 0
        self._pending: dict[str, str] = {}
        self._phrase = b""
        self.parser: Any = None  # for the status code

    def head_bytes(self, n: int) -> int:
        self._seen += n
        return self._seen

    def on_message_begin(self) -> None:
        if self.complete:
            self.extra = True
        self._pending = {}

    def on_status(self, phrase: bytes) -> None:
        self._phrase += phrase

    def on_header(self, name: bytes, value: bytes) -> None:
        self._pending[name.decode("latin-1").lower()] = value.decode("latin-1", "replace")

    def on_headers_complete(self) -> None:
        phrase, self._phrase = self._phrase, b""
        headers, self._pending = self._pending, {}
        if self.complete:
            return
        status = int(self.parser.get_status_code())
        if 100 <= status < 200:
            return  # an interim response: the final one follows
        self.status = status
        self.reason = phrase.decode("latin-1", "replace")
        self.headers = headers
        self.until_close = (
            "content-length" not in headers
            and "chunked" not in headers.get("transfer-encoding", "").lower()
        )

    def on_body(self, data: bytes) -> None:
        if self.complete or self.truncated or not self.status:
            return
        self.parts.append(bytes(data))
        self.size += len(data)
        if self.size >= self.max_body:
            self.truncated = True  # stop reading a large body: the connection is dropped

    def on_message_complete(self) -> None:
        if self.status and not self.complete:
            self.complete = True
            # asked now: llhttp answers for the message it is in
            self.keep_alive = bool(self.parser.should_keep_alive())
