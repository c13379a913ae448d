"""Safe YAML loading with positions, through ruamel.yaml's public API.

`YAML(typ="safe").compose` builds the node tree on the libyaml C loader (ruamel.yaml.clib);
every node carries its start mark. One walk over the nodes turns them into plain JSON-like
data (dict/list/str/int/float/bool/None, keys always text) and records the line:col of
every key and value. Nothing is constructed from a tag: only the plain-data tags are
accepted. Nothing here raises for bad input: problems are `Problem`s.

Limits (the file's size and encoding are `text.decode`'s): nesting depth, aliases and nodes after alias
expansion, one document per file, duplicate keys (both lines reported), integers Python
can read, text that is valid Unicode. Scalars follow YAML 1.2 (`on`/`yes` are text);
timestamps stay text, quoted or not: JSON Schema `format: date-time` and the models want
text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import ComposerError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    ScalarEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import Resolver

from reconciler.load.text import Pos, Problem, decode
from reconciler.load.yamlscalars import (
    COLLECTION_TAGS,
    MERGE,
    SCALAR_TAGS,
    STR,
    SURROGATE,
    TooLong,
    scalar_value,
    shown_tag,
    tag_of,
)

MAX_DEPTH = 64
MAX_ALIASES = 100
MAX_NODES = 100_000  # nodes after alias expansion: a "billion laughs" stops here

Path = tuple[str | int, ...]


@dataclass(slots=True)
class Loaded:
    """A loaded document: `data` is None when the file could not be loaded at all.
    `rejected`: paths whose scalar was reported here and replaced by None (a number too
    long to read, text that is not valid Unicode): checks at those paths have nothing to
    add."""

    data: Any = None
    values: dict[Path, Pos] = field(default_factory=dict)  # where each value starts
    keys: dict[Path, Pos] = field(default_factory=dict)  # where each mapping key starts
    problems: list[Problem] = field(default_factory=list)
    rejected: set[Path] = field(default_factory=set)
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


# -- the loader ---------------------------------------------------------------------------
class Yaml12Resolver(Resolver):
    """ruamel's YAML 1.2 core-schema resolver (`Resolver`, whose rules are built once).
    `YAML()` passes a `version` argument, which only `VersionedResolver` takes; that one
    also looks the version up for every scalar (through failing attribute lookups: most
    of the load time of a small file). Our files are YAML 1.2: the version is fixed."""

    processing_version = (1, 2)

    def __init__(self, version: Any = None, loader: Any = None, loadumper: Any = None) -> None:
        super().__init__(loadumper if loadumper is not None else loader)


@functools.cache
def _yaml(pure: bool) -> YAML:
    """One loader per process: the C one, or the pure-Python one for the documents
    libyaml's YAML 1.1 syntax rejects (see `compose`)."""
    yaml = YAML(typ="safe", pure=pure)
    yaml.Resolver = Yaml12Resolver
    return yaml


class _Abort(Exception):
    """Stop walking (a limit was hit); the problem is already recorded."""


_DEPTH_SIGNS = "[{-?:"
# Every collection opens at a '[', '{', '-', '?' or ':' (a flow or block sequence, a flow
# or block mapping), so a text with few of them cannot nest deeply. The C composer
# recurses once per level on the C stack (a megabyte of '[' would overflow it): a text
# that could nest deeper than this is screened event by event first.
_COMPOSE_SAFE_DEPTH = 1000


def _screen(events: Any) -> Problem | None:
    """Depth, aliases, nodes after alias expansion and the document count, from the parse
    events (the composer would only see them after building everything)."""
    open_starts: list[tuple[str | None, int]] = []  # (anchor, node count at its start)
    sizes: dict[str, int] = {}  # anchor -> nodes in the anchored subtree
    nodes = aliases = documents = 0
    for event in events:
        if isinstance(event, (ScalarEvent, CollectionStartEvent)):
            nodes += 1
            if isinstance(event, ScalarEvent):
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            else:
                open_starts.append((event.anchor, nodes))
                if len(open_starts) > MAX_DEPTH:
                    return _depth_problem(*_pos(event))
        elif isinstance(event, CollectionEndEvent):
            anchor, start = open_starts.pop()
            if anchor is not None:
                sizes[anchor] = nodes - start + 1
        elif isinstance(event, AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                return Problem(
                    *_pos(event),
                    "yaml-aliases",
                    f"more than {MAX_ALIASES} aliases",
                    "write the values out; aliases are limited to keep loading safe",
                )
            nodes += sizes.get(event.anchor, 1)
            if nodes > MAX_NODES:
                return Problem(
                    *_pos(event),
                    "yaml-aliases",
                    f"aliases expand to more than {MAX_NODES} nodes (an alias bomb?)",
                    "write the values out; aliases are limited to keep loading safe",
                )
        elif isinstance(event, DocumentStartEvent):
            documents += 1
            if documents > 1:
                return _documents_problem(*_pos(event))
    return None


def _pos(item: Any) -> Pos:
    mark = item.start_mark
    return mark.line + 1, mark.column + 1


def _depth_problem(line: int, col: int) -> Problem:
    return Problem(
        line,
        col,
        "yaml-depth",
        f"nesting is deeper than {MAX_DEPTH} levels",
        "flow and request files are shallow; is this file generated by mistake?",
    )


def _documents_problem(line: int, col: int) -> Problem:
    return Problem(
        line,
        col,
        "yaml-multiple-documents",
        "file contains more than one YAML document",
        "one flow or request per file: split it at '---'",
    )


def _compose_with(yaml: YAML, text: str, screen: bool) -> Node | Problem | None:
    if screen:
        problem = _screen(yaml.parse(text))
        if problem is not None:
            return problem
    node: Node | None = yaml.compose(text)
    return node


def compose(text: str) -> Node | Problem | None:
    """The single document of `text` as nodes (None: no document), or the problem."""
    screen = "*" in text or sum(map(text.count, _DEPTH_SIGNS)) > _COMPOSE_SAFE_DEPTH
    try:
        return _compose_with(_yaml(pure=False), text, screen)
    except ComposerError as exc:
        return _composer_problem(exc)
    except MarkedYAMLError as exc:
        # libyaml implements YAML 1.1 syntax: it rejects some valid 1.2 documents, e.g.
        # `{after: 2026-11-27T22:00:00Z}` (a ':' inside a plain scalar in flow style).
        # Only then is the (slow) pure-Python loader asked; its verdict wins if it loads.
        try:
            return _compose_with(_yaml(pure=True), text, screen=True)
        except (YAMLError, RecursionError):
            return describe_yaml_error(exc, text)
    except YAMLError as exc:
        return describe_yaml_error(exc, text)


def _composer_problem(exc: ComposerError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    if exc.context == "expected a single document in the stream":
        return _documents_problem(line, col)
    parts = []
    for text, where in ((exc.context, exc.context_mark), (exc.problem, exc.problem_mark)):
        if text:
            parts.append(f"{text} at line {where.line + 1}" if where is not None else text)
    return Problem(line, col, "yaml-syntax", "invalid YAML: " + ", ".join(parts))


# -- nodes to data --------------------------------------------------------------------------
class _Walk:
    """One walk over a composed document, filling `out`."""

    def __init__(self, out: Loaded) -> None:
        self.out = out

    def node(self, node: Node, path: Path, depth: int) -> Any:
        mark = node.start_mark
        pos = self.out.values[path] = (mark.line + 1, mark.column + 1)
        ctag = node.ctag  # a resolved tag is a bare suffix (`node.tag` decodes it again)
        tag = ctag.suffix if ctag.handle is None else str(ctag)
        if isinstance(node, ScalarNode):
            if tag == STR and node.style != '"':  # most scalars: plain or quoted text
                return node.value
            return self.scalar(node, tag, path, pos)
        if depth > MAX_DEPTH:
            self.out.problems.append(_depth_problem(*pos))
            raise _Abort
        if tag not in COLLECTION_TAGS:
            self.bad_tag(tag, pos)
        if isinstance(node, MappingNode):
            return self.mapping(node, path, depth)
        assert isinstance(node, SequenceNode)
        return [self.node(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]

    def scalar(self, node: ScalarNode, tag: str, path: Path, pos: Pos) -> Any:
        text = node.value
        if node.style == '"' and not text.isascii() and SURROGATE.search(text):
            text = _paired(text)
            if SURROGATE.search(text):
                self.reject(path, self.surrogate_problem(text, pos))
                return None
        if tag in SCALAR_TAGS:
            try:
                return scalar_value(tag, text)
            except TooLong as exc:
                self.reject(
                    path,
                    Problem(
                        *pos,
                        "schema",
                        f"a number with {exc} digits is out of range for every setting",
                        "numbers here are at most 19 digits long (64-bit integers)",
                    ),
                )
                return None
        if tag == MERGE:  # a plain `<<` that is not a key
            return text
        if tag in COLLECTION_TAGS:
            self.out.problems.append(
                Problem(*pos, "yaml-tag", f"tag {shown_tag(tag)} cannot be used on a scalar")
            )
            return None
        self.bad_tag(tag, pos)
        return text

    def mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        explicit: list[tuple[str, Node, Pos]] = []
        merges: list[Node] = []
        for key_node, value_node in node.value:
            mark = key_node.start_mark
            key_pos = (mark.line + 1, mark.column + 1)
            if not isinstance(key_node, ScalarNode):
                self.out.problems.append(
                    Problem(*key_pos, "yaml-key", "mapping keys must be plain scalars (text)")
                )
                continue
            key = key_node.value
            if key_node.style == '"' and not key.isascii() and SURROGATE.search(key):
                key = _paired(key)
                if SURROGATE.search(key):
                    self.out.problems.append(self.surrogate_problem(key, key_pos))
                    continue
            if tag_of(key_node) == MERGE and _mergeable(value_node):
                merges.append(value_node)
            else:
                explicit.append((key, value_node, key_pos))
        # Merge keys (`<<: *base`, `<<: [*a, *b]`): explicit keys win over merged ones,
        # and an earlier source over a later one.
        sources = [
            item
            for merge in merges
            for item in (merge.value if isinstance(merge, SequenceNode) else [merge])
        ]
        for source in reversed(sources):
            result.update(self.mapping(source, path, depth))
        seen: dict[str, int] = {}
        for key, value_node, key_pos in explicit:
            if key in seen:
                self.out.problems.append(
                    Problem(
                        *key_pos,
                        "yaml-duplicate-key",
                        f"duplicate key '{key}' (first at line {seen[key]}, again at line "
                        f"{key_pos[0]})",
                        "YAML keeps only one of them; remove the other",
                    )
                )
                continue
            seen[key] = key_pos[0]
            here = (*path, key)
            self.out.keys[here] = key_pos
            result[key] = self.node(value_node, here, depth + 1)
        return result

    def bad_tag(self, tag: str, pos: Pos) -> None:
        self.out.problems.append(
            Problem(
                *pos,
                "yaml-tag",
                f"tag '{shown_tag(tag)}' is not allowed: only plain data is loaded",
                "remove the tag",
            )
        )

    def reject(self, path: Path, problem: Problem) -> None:
        self.out.problems.append(problem)
        self.out.rejected.add(path)

    @staticmethod
    def surrogate_problem(text: str, pos: Pos) -> Problem:
        found = SURROGATE.search(text)
        code = f"U+{ord(found.group()):04X}" if found else "a surrogate"
        return Problem(
            *pos,
            "encoding",
            f"text contains an unpaired surrogate ({code}): it is not valid Unicode",
            "write the character itself, or escape it whole: \\U0001F600 or the pair \\ud83d\\ude00",
        )


def _paired(text: str) -> str:
    """Surrogate pairs written as two escapes (`"\\ud83d\\ude00"`, as JSON writes them) are
    one character; a lone surrogate stays."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _mergeable(node: Node) -> bool:
    """What YAML merges: a mapping, or a list of mappings."""
    if isinstance(node, MappingNode):
        return True
    return isinstance(node, SequenceNode) and all(isinstance(n, MappingNode) for n in node.value)


# -- bytes to text ----------------------------------------------------------------------------
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


def load_text(raw: bytes) -> Loaded:
    """Bytes of one file -> plain data with positions, or problems."""
    text, problem = decode(raw)
    if problem is not None or text is None:
        return Loaded(problems=[problem] if problem else [])
    loaded = Loaded(text=text)
    composed = compose(text)
    if isinstance(composed, Problem):
        loaded.problems.append(composed)
    elif composed is not None:
        try:
            loaded.data = _Walk(loaded).node(composed, (), 1)
        except _Abort:
            loaded.data = None
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
