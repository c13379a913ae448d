"""Streaming reader for run files: a JSON array or NDJSON, in constant memory.

Yields every record's exact JSON text (as it appeared in the file) with its position:
1-based record index and the line:col where it starts. A JSON array is parsed
incrementally with `JSONDecoder.raw_decode` over a sliding buffer; NDJSON line by line,
so a broken line costs that line only. A syntax error inside an array cannot be skipped
safely (where would the next record start?): it is reported with its position and the
rest of that file is not read; records before it are kept.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

CHUNK = 1 << 20
_WS = " \t\r\n"
# Truncation vs. a real error: a decode error this close to the end of the buffer may
# just be a record cut by the chunk boundary (e.g. "tru|e"); read more and retry.
_TAIL = 32


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constants)


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record (value set) or one unreadable spot (error set)."""

    index: int
    line: int
    col: int
    text: str | None = None
    value: Any = None
    error: str | None = None
    fatal: bool = False  # the rest of the file is not read


def _error_text(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg}"
    return f"not valid JSON: {exc}"


def read_records(stream: IO[bytes]) -> Iterator[RawRecord]:
    """Records from a binary stream (a file or stdin)."""
    buffered: Any = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)
    head = buffered.peek(4096)[:4096]
    start = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    if start.lstrip(b" \t\r\n").startswith(b"["):
        yield from _read_array(buffered)
    else:
        yield from _read_ndjson(buffered)


def _read_ndjson(stream: IO[bytes]) -> Iterator[RawRecord]:
    index = 0
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            index += 1
            yield RawRecord(index, number, exc.start + 1, error="not valid UTF-8")
            continue
        stripped = line.strip(_WS)
        if not stripped:
            continue
        index += 1
        col = len(line) - len(line.lstrip(_WS)) + 1
        try:
            value, end = _DECODER.raw_decode(stripped)
        except ValueError as exc:
            where = (
                f" (at {number}:{col + exc.pos})" if isinstance(exc, json.JSONDecodeError) else ""
            )
            yield RawRecord(index, number, col, error=_error_text(exc) + where)
            continue
        if end != len(stripped):
            extra = end + len(stripped[end:]) - len(stripped[end:].lstrip(_WS))
            yield RawRecord(
                index,
                number,
                col,
                error=f"unexpected text after the record at {number}:{col + extra} "
                "(NDJSON has one record per line)",
            )
            continue
        yield RawRecord(index, number, col, text=stripped, value=value)


class _Cursor:
    """A sliding text buffer over the decoded stream that knows line:col of any offset."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.base = 0  # absolute offset of buf[0]
        self.line = 1
        self.line_start = 0  # absolute offset where the current line starts
        self.counted = 0  # absolute offset up to which newlines are counted

    def fill(self) -> bool:
        """Append one chunk (dropping what is consumed); False at end of input."""
        if self.eof:
            return False
        self._count_to(self.base + self.pos)
        chunk = self.stream.read(CHUNK)
        text = self.decoder.decode(chunk, final=not chunk)
        self.base += self.pos
        self.buf = self.buf[self.pos :] + text
        self.pos = 0
        if not chunk:
            self.eof = True
        return bool(chunk) or bool(text)

    def _count_to(self, absolute: int) -> None:
        lo, hi = self.counted - self.base, absolute - self.base
        if hi > lo:
            newlines = self.buf.count("\n", lo, hi)
            if newlines:
                self.line += newlines
                self.line_start = self.base + self.buf.rindex("\n", lo, hi) + 1
            self.counted = absolute

    def where(self, offset: int) -> tuple[int, int]:
        """line, col (1-based) of buf[offset]; offsets must not go backwards."""
        self._count_to(self.base + offset)
        return self.line, self.base + offset - self.line_start + 1

    def skip_ws(self) -> str | None:
        """Advance past whitespace; the next character, or None at end of input."""
        while True:
            buf, n = self.buf, len(self.buf)
            while self.pos < n and buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < n:
                return buf[self.pos]
            if not self.fill():
                return None


def _read_array(stream: IO[bytes]) -> Iterator[RawRecord]:
    cur = _Cursor(stream)
    try:
        cur.fill()
        cur.skip_ws()
        cur.pos += 1  # the '['
        index = 0
        expect_value = True
        first = True
        while True:
            ch = cur.skip_ws()
            if ch is None:
                line, col = cur.where(cur.pos)
                yield RawRecord(
                    index + 1, line, col, error="the JSON array is not closed", fatal=True
                )
                return
            if ch == "]" and (first or not expect_value):
                cur.pos += 1
                tail = cur.skip_ws()
                if tail is not None:
                    line, col = cur.where(cur.pos)
                    yield RawRecord(
                        index + 1,
                        line,
                        col,
                        error="unexpected text after the JSON array",
                        fatal=True,
                    )
                return
            if not expect_value:
                if ch != ",":
                    line, col = cur.where(cur.pos)
                    yield RawRecord(
                        index + 1, line, col, error=f"expected ',' or ']', found {ch!r}", fatal=True
                    )
                    return
                cur.pos += 1
                expect_value = True
                continue
            index += 1
            first = False
            start = cur.pos
            while True:
                try:
                    value, end = _DECODER.raw_decode(cur.buf, cur.pos)
                    break
                except ValueError as exc:
                    err_pos = exc.pos if isinstance(exc, json.JSONDecodeError) else cur.pos
                    truncated = not cur.eof and (
                        err_pos >= len(cur.buf) - _TAIL
                        or str(exc).startswith("Unterminated string")
                    )
                    if truncated and cur.fill():
                        start = cur.pos
                        continue
                    line, col = cur.where(start)
                    err_line, err_col = cur.where(max(err_pos, start))
                    yield RawRecord(
                        index,
                        line,
                        col,
                        error=f"{_error_text(exc)} (at {err_line}:{err_col}); "
                        "the rest of this file is not read",
                        fatal=True,
                    )
                    return
            line, col = cur.where(start)
            yield RawRecord(index, line, col, text=cur.buf[start:end], value=value)
            cur.pos = end
            expect_value = False
    except UnicodeDecodeError:
        line, col = cur.where(cur.pos)
        yield RawRecord(
            0, line, col, error="not valid UTF-8 after this point; the rest is not read", fatal=True
        )
