"""Safe YAML loading with positions, on the libyaml C parser (ruamel.yaml.clib).

The C parser produces events; this module composes them into plain JSON-like data
(dict/list/str/int/float/bool/None, keys always strings) in one iterative pass, and
records the line:col of every key and value on the way. That is cheaper than ruamel's
own constructor (measured: ~5x) and gives positions for free, so there is no second
round-trip parse for files with findings. Limits are enforced while composing: file size,
nesting depth, alias count and alias expansion, duplicate keys (both lines reported),
only the plain-data tags. Nothing here ever raises for bad input: problems are `Problem`s.

Scalars follow the YAML 1.2 core schema (like ruamel's safe loader), except that
timestamps stay strings: JSON Schema `format: date-time` and pydantic both want text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import InternalError
from reconciler.load.limits import MAX_BYTES

MAX_DEPTH = 64
MAX_ALIASES = 100
MAX_NODES = 100_000  # nodes after alias expansion: a "billion laughs" stops here

Path = tuple[str | int, ...]
Pos = tuple[int, int]  # 1-based line, col


def _c_parser() -> Any:
    """The libyaml-backed parser; refuse to run on the slow pure-Python fallback."""
    try:
        from ruamel.yaml.clib._ruamel_yaml import CParser
    except ImportError:
        try:
            from _ruamel_yaml import CParser  # type: ignore[import-not-found]
        except ImportError:
            raise InternalError(
                "the ruamel.yaml C loader (ruamel.yaml.clib) is not installed",
                hint="pip install ruamel.yaml.clib",
            ) from None
    if not CParser.__module__.endswith("_ruamel_yaml") or not hasattr(CParser, "get_event"):
        raise InternalError(f"unexpected YAML parser {CParser!r}; expected the libyaml C parser")
    return CParser


CParser = _c_parser()

from ruamel.yaml.error import MarkedYAMLError, YAMLError  # noqa: E402
from ruamel.yaml.events import (  # noqa: E402
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from ruamel.yaml.reader import ReaderError  # noqa: E402


@dataclass(frozen=True, slots=True)
class Problem:
    """A load problem at a 1-based position (the file layer turns it into a Finding)."""

    line: int
    col: int
    rule: str
    message: str
    hint: str | None = None


@dataclass(slots=True)
class Loaded:
    """A composed document: `data` is None when the file could not be loaded at all."""

    data: Any = None
    values: dict[Path, Pos] = field(default_factory=dict)  # where each value starts
    keys: dict[Path, Pos] = field(default_factory=dict)  # where each mapping key starts
    problems: list[Problem] = field(default_factory=list)
    text: str | None = None

    def value_pos(self, path: Path) -> Pos:
        """The position of the value at `path`, else of its nearest ancestor."""
        values = self.values
        while path:
            pos = values.get(path)
            if pos is not None:
                return pos
            path = path[:-1]
        return values.get((), (1, 1))

    def key_pos(self, path: Path) -> Pos:
        """The position of the key naming `path` (falls back to the value position)."""
        pos = self.keys.get(path)
        return pos if pos is not None else self.value_pos(path)


_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_OCT = re.compile(r"0o[0-7]+\Z")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")
_FIRST_SPECIAL = frozenset("~nNtTfF0123456789+-.")

_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = frozenset(
    _TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
) | {"!"}


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) scalar per the YAML 1.2 core schema; timestamps stay text."""
    if not text:
        return None
    if text[0] not in _FIRST_SPECIAL:
        return text
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    if _INT_OCT.match(text):
        return int(text[2:], 8)
    if _INT_HEX.match(text):
        return int(text[2:], 16)
    if _INF.match(text):
        return -math.inf if text[0] == "-" else math.inf
    if _NAN.match(text):
        return math.nan
    return text


def _tagged(tag: str, text: str) -> tuple[Any, str | None]:
    """A scalar with an explicit standard tag -> (value, error message or None)."""
    kind = tag[len(_TAG) :] if tag.startswith(_TAG) else "str"
    if kind in ("str", "timestamp"):
        return text, None
    value = resolve_plain(text)
    expected: Any = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}.get(kind)
    if expected is None:
        return None, f"tag !!{kind} cannot be used on a scalar"
    if isinstance(value, bool) and kind != "bool":
        return None, f"'{text}' is not a valid !!{kind}"
    if not isinstance(value, expected):
        return None, f"'{text}' is not a valid !!{kind}"
    return (float(value) if kind == "float" else value), None


def describe_yaml_error(exc: YAMLError, text: str) -> Problem:
    """libyaml's scanner/parser/reader errors -> one Problem with a position."""
    if isinstance(exc, ReaderError):
        line, col = offset_position(text, exc.position)
        char = exc.character
        shown = f"#x{char:04x}" if isinstance(char, int) else repr(char)
        return Problem(
            line,
            col,
            "yaml-syntax",
            f"unacceptable character {shown}: {exc.reason}",
            "YAML text may not contain control characters; is this a binary file?",
        )
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and exc.context_mark is not None:
            message = f"{message} ({exc.context} at line {exc.context_mark.line + 1})"
        hint = None
        if "\t" in _line_at(text, line) and "cannot start any token" in message:
            hint = "YAML indentation uses spaces, not tabs"
        elif "mapping values are not allowed" in message:
            hint = "quote values that contain ': ' or check the indentation"
        return Problem(line, col, "yaml-syntax", f"invalid YAML: {message}", hint)
    return Problem(1, 1, "yaml-syntax", f"invalid YAML: {exc}")


def offset_position(text: str, offset: int) -> Pos:
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _line_at(text: str, line: int) -> str:
    lines = text.split("\n", line)
    return lines[line - 1] if 0 < line <= len(lines) else ""


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
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Problem(1, 1, "encoding", "file is UTF-16 encoded", "save it as UTF-8")
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


class _Abort(Exception):
    """Stop composing (a limit was hit); the problem is already recorded."""


_MAPPING, _SEQUENCE, _ROOT = 0, 1, 2


class _Frame:
    __slots__ = ("anchor", "container", "key", "key_pos", "kind", "merges", "path", "seen", "start")

    def __init__(self, kind: int, container: Any, path: Path, anchor: str | None, start: int):
        self.kind = kind
        self.container = container
        self.path = path
        self.anchor = anchor
        self.start = start  # node counter at start: subtree size for alias accounting
        self.key: Any = _NO_KEY
        self.key_pos: Pos = (1, 1)
        self.seen: dict[str, int] = {}  # key -> line (duplicates report both lines)
        self.merges: list[Any] = []


_NO_KEY = object()


def compose(text: str) -> Loaded:
    """Compose the single YAML document in `text` (already decoded and size-checked)."""
    out = Loaded(text=text)
    try:
        _compose(CParser(text).get_event, out)
    except _Abort:
        out.data = None
    except YAMLError as exc:
        # libyaml implements YAML 1.1 syntax: it rejects some valid 1.2 documents, e.g.
        # `{after: 2026-11-27T22:00:00Z}` (a ':' inside a plain scalar in flow style).
        # Only then is the (slow) pure-Python parser asked; its verdict wins if it parses.
        retry = Loaded(text=text)
        try:
            _compose(_pure_events(text), retry)
        except (_Abort, YAMLError, RecursionError):
            out.problems.append(describe_yaml_error(exc, text))
            out.data = None
        else:
            return retry
    except RecursionError:  # defensive: composing is iterative, but libyaml is C
        out.problems.append(Problem(1, 1, "yaml-depth", f"nesting deeper than {MAX_DEPTH}"))
        out.data = None
    return out


def _pure_events(text: str) -> Any:
    from ruamel.yaml import YAML

    return iter(YAML(typ="safe", pure=True).parse(text)).__next__


def _compose(get_event: Any, out: Loaded) -> None:
    values = out.values
    keys = out.keys
    problems = out.problems
    anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, subtree size)
    nodes = 0
    aliases = 0
    documents = 0
    root = _Frame(_ROOT, None, (), None, 0)
    stack: list[_Frame] = [root]

    while True:
        event = get_event()
        etype = type(event)
        if etype is ScalarEvent or etype is MappingStartEvent or etype is SequenceStartEvent:
            mark = event.start_mark
            pos = (mark.line + 1, mark.column + 1)
            frame = stack[-1]
            nodes += 1
            if nodes > MAX_NODES:
                problems.append(
                    Problem(*pos, "yaml-aliases", f"document has more than {MAX_NODES} nodes")
                )
                raise _Abort
            # Where does this node go?
            is_key = frame.kind == _MAPPING and frame.key is _NO_KEY
            if is_key:
                path: Path = (*frame.path, "\x00key")
            elif frame.kind == _MAPPING:
                path = (*frame.path, frame.key) if isinstance(frame.key, str) else frame.path
            elif frame.kind == _SEQUENCE:
                path = (*frame.path, len(frame.container))
            else:
                path = ()
            tag = event.tag
            if tag is not None and tag not in _ALLOWED_TAGS:
                shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
                problems.append(
                    Problem(
                        *pos,
                        "yaml-tag",
                        f"tag '{shown}' is not allowed: only plain data is loaded",
                        "remove the tag",
                    )
                )
                tag = None
            if etype is ScalarEvent:
                if tag is not None and tag != "!":
                    value, error = _tagged(tag, event.value)
                    if error:
                        problems.append(Problem(*pos, "yaml-tag", error))
                elif not event.style and event.implicit[0]:
                    value = event.value if is_key else resolve_plain(event.value)
                else:
                    value = event.value
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
                _add(frame, value, pos, path, is_key, values, keys, problems)
                continue
            if len(stack) > MAX_DEPTH:
                problems.append(
                    Problem(
                        *pos,
                        "yaml-depth",
                        f"nesting is deeper than {MAX_DEPTH} levels",
                        "flow and request files are shallow; is this file generated by mistake?",
                    )
                )
                raise _Abort
            if is_key:
                problems.append(
                    Problem(*pos, "yaml-key", "mapping keys must be plain scalars (text)")
                )
            container: Any = {} if etype is MappingStartEvent else []
            values[path] = pos
            stack.append(
                _Frame(
                    _MAPPING if etype is MappingStartEvent else _SEQUENCE,
                    container,
                    path,
                    event.anchor,
                    nodes,
                )
            )
        elif etype is MappingEndEvent or etype is SequenceEndEvent:
            done = stack.pop()
            if done.merges:
                _merge(done)
            if done.anchor is not None:
                anchors[done.anchor] = (done.container, nodes - done.start + 1)
            frame = stack[-1]
            is_key = frame.kind == _MAPPING and frame.key is _NO_KEY
            value = done.container
            if is_key:
                value = None  # a complex key, already reported
            _add(frame, value, values[done.path], done.path, is_key, values, keys, problems)
        elif etype is AliasEvent:
            mark = event.start_mark
            pos = (mark.line + 1, mark.column + 1)
            frame = stack[-1]
            aliases += 1
            target = anchors.get(event.anchor)
            if target is None:
                problems.append(
                    Problem(*pos, "yaml-syntax", f"alias '*{event.anchor}' refers to no anchor")
                )
                raise _Abort
            if aliases > MAX_ALIASES:
                problems.append(
                    Problem(
                        *pos,
                        "yaml-aliases",
                        f"more than {MAX_ALIASES} aliases",
                        "write the values out; aliases are limited to keep loading safe",
                    )
                )
                raise _Abort
            nodes += target[1]
            if nodes > MAX_NODES:
                problems.append(
                    Problem(
                        *pos,
                        "yaml-aliases",
                        f"aliases expand to more than {MAX_NODES} nodes (an alias bomb?)",
                        "write the values out; aliases are limited to keep loading safe",
                    )
                )
                raise _Abort
            is_key = frame.kind == _MAPPING and frame.key is _NO_KEY
            if frame.kind == _MAPPING and not is_key:
                path = (*frame.path, frame.key) if isinstance(frame.key, str) else frame.path
            elif frame.kind == _SEQUENCE:
                path = (*frame.path, len(frame.container))
            else:
                path = frame.path
            values[path] = pos
            value = target[0]
            if is_key and not isinstance(value, str):
                problems.append(Problem(*pos, "yaml-key", "mapping keys must be plain scalars"))
                value = None
            _add(frame, value, pos, path, is_key, values, keys, problems)
        elif etype is DocumentStartEvent:
            documents += 1
            if documents > 1:
                mark = event.start_mark
                problems.append(
                    Problem(
                        mark.line + 1,
                        mark.column + 1,
                        "yaml-multiple-documents",
                        "file contains more than one YAML document",
                        "one flow or request per file: split it at '---'",
                    )
                )
                raise _Abort
        elif etype is StreamEndEvent:
            break
        elif etype is DocumentEndEvent or etype is StreamStartEvent:
            continue
    out.data = root.container


def _add(
    frame: _Frame,
    value: Any,
    pos: Pos,
    path: Path,
    is_key: bool,
    values: dict[Path, Pos],
    keys: dict[Path, Pos],
    problems: list[Problem],
) -> None:
    kind = frame.kind
    if kind == _SEQUENCE:
        values[path] = pos
        frame.container.append(value)
    elif kind == _ROOT:
        values[()] = pos
        frame.container = value
    elif is_key:
        if value is not None and not isinstance(value, str):
            value = str(value)
        frame.key = value
        frame.key_pos = pos
    else:
        key = frame.key
        frame.key = _NO_KEY
        if key is None:  # complex key: reported, entry dropped
            return
        if key == "<<" and isinstance(value, (dict, list)):
            frame.merges.append((value, pos))
            return
        container = frame.container
        if key in container:
            first = frame.seen.get(key, 0)
            problems.append(
                Problem(
                    *frame.key_pos,
                    "yaml-duplicate-key",
                    f"duplicate key '{key}' (first at line {first}, again at line {frame.key_pos[0]})",
                    "YAML keeps only one of them; remove the other",
                )
            )
            return
        frame.seen[key] = frame.key_pos[0]
        container[key] = value
        keys[path] = frame.key_pos
        values[path] = pos


def _merge(frame: _Frame) -> None:
    """YAML merge keys (`<<: *base`): explicit keys win over merged ones."""
    container = frame.container
    for value, pos in frame.merges:
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if isinstance(source, dict):
                for key, item in source.items():
                    if key not in container:
                        container[key] = item
                        frame.seen[key] = pos[0]


def load_text(raw: bytes) -> Loaded:
    """Bytes of one file -> composed document with positions, or problems."""
    text, problem = decode(raw)
    if problem is not None or text is None:
        return Loaded(problems=[problem] if problem else [])
    loaded = compose(text)
    if loaded.data is None and not loaded.problems:
        loaded.problems.append(
            Problem(
                1,
                1,
                "empty-file",
                "file is empty" if not text.strip() else "file holds no YAML document",
                "a flow or request file holds one YAML mapping (apiVersion, kind, ...)",
            )
        )
    return loaded
