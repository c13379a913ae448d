"""Streaming reader for run files: a JSON array or NDJSON, in constant memory.

Yields every record's exact JSON text (as it appeared in the file) with its position:
1-based record index and the line:col where it starts. A JSON array is parsed
incrementally with `JSONDecoder.raw_decode` over a sliding buffer; NDJSON line by line,
so a broken line costs that line only. A syntax error inside an array cannot be skipped
safely (where would the next record start?): it is reported with its position and the
rest of that file is not read; records before it are kept. A record that is well-formed
but refused (larger than MAX_RECORD_BYTES, nested deeper than MAX_RECORD_DEPTH, a NaN,
a number too long to read) costs that record only, in both layouts: its end is found by
scanning, without decoding it.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from reconciler.load.limits import MAX_RECORD_BYTES, MAX_RECORD_DEPTH

CHUNK = 1 << 20
_WS = " \t\r\n"
_WS_BYTES = b" \t\r\n"
# Truncation vs. a real error: a decode error this close to the end of the buffer may
# just be a record cut by the chunk boundary (e.g. "tru|e"); read more and retry.
_TAIL = 32
# A line this long holds no acceptable record (the limit plus a line ending and a BOM).
_LINE_LIMIT = MAX_RECORD_BYTES + 8

TOO_LARGE = f"the record is larger than {MAX_RECORD_BYTES // (1024 * 1024)} MiB, the limit for one run record"
TOO_DEEP = f"the record nests deeper than {MAX_RECORD_DEPTH} levels, the limit for one run record"


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constants)
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")
_STRING_STOP = re.compile(r'["\\]')
_VALUE_STOP = re.compile(r'["\[\]{},]')


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
    if "integer string conversion" in str(exc):
        return f"not valid JSON: a number longer than {sys.get_int_max_str_digits()} digits"
    return f"not valid JSON: {exc}"


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in this JSON text (brackets inside strings do not
    count), without decoding it."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRING.sub('""', text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _limit_problem(text: str, size: int) -> str | None:
    """Why a record's text is refused before it is decoded (size in UTF-8 bytes)."""
    if size > MAX_RECORD_BYTES:
        return TOO_LARGE
    # Fewer opening brackets than the limit cannot nest deeper: the common, cheap answer.
    if text.count("{") + text.count("[") > MAX_RECORD_DEPTH and (
        nesting_depth(text) > MAX_RECORD_DEPTH
    ):
        return TOO_DEEP
    return None


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
    number = 0
    while True:
        raw = stream.readline(_LINE_LIMIT)
        if not raw:
            return
        number += 1
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        col = len(raw) - len(raw.lstrip(_WS_BYTES)) + 1
        if len(raw) >= _LINE_LIMIT and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # the rest of this line, unread
                raw = stream.readline(CHUNK)
            index += 1
            yield RawRecord(index, number, col, error=TOO_LARGE)
            continue
        body = raw.strip(_WS_BYTES)
        if not body:
            continue
        index += 1
        try:
            stripped = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield RawRecord(index, number, col + exc.start, error="not valid UTF-8")
            continue
        problem = _limit_problem(stripped, len(body))
        if problem is not None:
            yield RawRecord(index, number, col, error=problem)
            continue
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

    def skip_value(self) -> bool:
        """Advance past the array element that starts here, to the ',' or ']' after it,
        without decoding it (strings are skipped whole, brackets counted). Memory stays
        flat however large the element is. False when the input ends first."""
        depth = 0
        in_string = escaped = False
        while True:
            buf, i = self.buf, self.pos
            n = len(buf)
            if escaped and i < n:  # a backslash ended the previous chunk
                i += 1
                escaped = False
            while i < n:
                found = (_STRING_STOP if in_string else _VALUE_STOP).search(buf, i)
                if found is None:
                    i = n
                    break
                ch, i = found.group(), found.end()
                if in_string:
                    if ch == '"':
                        in_string = False
                    elif i < n:
                        i += 1  # the escaped character
                    else:
                        escaped = True
                elif ch == '"':
                    in_string = True
                elif ch in "[{":
                    depth += 1
                elif depth and ch in "]}":
                    depth -= 1
                elif not depth and ch in ",]":
                    self.pos = found.start()
                    return True
            self.pos = n
            if not self.fill():
                return False


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
            refused: str | None = None
            while True:
                try:
                    value, end = _DECODER.raw_decode(cur.buf, cur.pos)
                    break
                except RecursionError:  # nested deeper than the decoder's own stack
                    refused = TOO_DEEP
                    break
                except json.JSONDecodeError as exc:
                    truncated = not cur.eof and (
                        exc.pos >= len(cur.buf) - _TAIL or exc.msg.startswith("Unterminated string")
                    )
                    if truncated and len(cur.buf) - start > MAX_RECORD_BYTES:
                        refused = TOO_LARGE
                        break
                    if truncated and cur.fill():
                        start = cur.pos
                        continue
                    line, col = cur.where(start)
                    err_line, err_col = cur.where(max(exc.pos, start))
                    yield RawRecord(
                        index,
                        line,
                        col,
                        error=f"{_error_text(exc)} (at {err_line}:{err_col}); "
                        "the rest of this file is not read",
                        fatal=True,
                    )
                    return
                except ValueError as exc:  # well-formed, but a value we do not take (NaN)
                    refused = _error_text(exc)
                    break
            line, col = cur.where(start)
            if refused is None:
                text = cur.buf[start:end]
                size = len(text.encode()) if 4 * len(text) > MAX_RECORD_BYTES else len(text)
                refused = _limit_problem(text, size)
                cur.pos = end
            elif not cur.skip_value():
                yield RawRecord(index, line, col, error=refused)
                line, col = cur.where(cur.pos)
                yield RawRecord(
                    index + 1, line, col, error="the JSON array is not closed", fatal=True
                )
                return
            if refused is None:
                yield RawRecord(index, line, col, text=text, value=value)
            else:
                yield RawRecord(index, line, col, error=refused)
            expect_value = False
    except UnicodeDecodeError:
        line, col = cur.where(cur.pos)
        yield RawRecord(
            0, line, col, error="not valid UTF-8 after this point; the rest is not read", fatal=True
        )
