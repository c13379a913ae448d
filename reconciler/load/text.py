"""Bytes of one configuration file -> text, or a clear problem with the position of the
bad byte: too large, not UTF-8 (UTF-16, UTF-32, another 8-bit encoding), binary."""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.load.limits import MAX_BYTES

Pos = tuple[int, int]  # 1-based line, col


@dataclass(frozen=True, slots=True)
class Problem:
    """A load problem at a 1-based position (the file layer turns it into a Finding)."""

    line: int
    col: int
    rule: str
    message: str
    hint: str | None = None


# Byte order marks and, without one, the NUL patterns of the YAML spec's encoding
# detection (an ASCII first character in a wide encoding), widest first.
_WIDE = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def _wide_encoding(raw: bytes) -> str | None:
    for bom, name in _WIDE:
        if raw.startswith(bom):
            return name
    head = raw[:4]
    if len(head) == 4 and b"\x00\x00\x00" in (head[:3], head[1:]):
        return "UTF-32"
    if len(head) >= 2 and (head[0] == 0) != (head[1] == 0):
        return "UTF-16"
    return None


def decode(raw: bytes) -> tuple[str | None, Problem | None]:
    """Bytes -> text, or a clear problem for empty, oversized, binary or non-UTF-8 input."""
    if len(raw) > MAX_BYTES:
        return None, Problem(
            1,
            1,
            "file-too-large",
            f"file is larger than {MAX_BYTES // 1024 // 1024} MiB, the limit for one file",
            "one flow or request per file; large data belongs in runs imports",
        )
    wide = _wide_encoding(raw)
    if wide is not None:
        return None, Problem(1, 1, "encoding", f"file is {wide} encoded", "save it as UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, col = _byte_position(raw, nul)
        return None, Problem(
            line,
            col,
            "binary-file",
            "file contains NUL bytes: this looks like a binary file, not YAML",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(raw, exc.start)
        return None, Problem(
            line,
            col,
            "encoding",
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            "save the file as UTF-8",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


def _byte_position(raw: bytes, offset: int) -> Pos:
    start = raw.rfind(b"\n", 0, offset) + 1
    col = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, col
