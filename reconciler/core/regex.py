"""The regex subset of `op: regex` property filters: what PostgreSQL `~` and RE2 (behind
SQLite's REGEXP: linear time, so no pattern can stall a selection by backtracking) read
the same way and both accept.

`regex_problem(pattern)` says what is wrong with a pattern (with the 1-based column), so
that validate, preview and dispatch refuse it before a store sees it; `re2_pattern`
spells an accepted pattern for RE2 (with `.` matching newlines, as in PostgreSQL).

Besides the grammar, a pattern must stay small enough for PostgreSQL to compile: its regex compiler refuses ("regular expression is too
complex") once the automaton it builds passes a fixed size, which grows with every atom
copied by a bound (`(ab){200}` is 400 atoms) and, much faster, with every optional part
(`a*`, `a?`, `a{0,n}`, an empty alternative). The budgets below sit well inside what
PostgreSQL accepts (measured: ~40,000 atoms, ~1,500 optional parts in a row; 500
optional parts already take it 0.3 s to compile)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

MAX_BOUND = 255  # PostgreSQL's largest repetition count (RE_DUP_MAX)
MAX_ATOMS = 10_000  # atoms once bounds are expanded
MAX_OPTIONAL = 200  # optional parts once bounds are expanded (compile time grows as its square)
MAX_DEPTH = 32  # nested groups
MAX_NESTED_REPEAT = 1000  # RE2: bounds nested in one another multiply to at most this

_CLASS_ESCAPES = "dDwWsS"
_LITERAL_ESCAPES = ".^$|?*+()[]{}\\/-"
_CONTROL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
_BOUND = re.compile(r"\{(\d+)(,(\d*))?\}")


class RegexError(ValueError):
    """A pattern outside the subset; the message starts with its column."""

    def __init__(self, col: int, problem: str) -> None:
        super().__init__(f"column {col}: {problem}")
        self.col = col


def regex_problem(pattern: str) -> str | None:
    """None when `pattern` is in the portable subset, else what is wrong (with the
    1-based column). The subset: literals, `.`, `^`, `$`, `|`, groups `( )`, bracket
    classes `[a-z]`/`[^...]` (ranges in code-point order), quantifiers `* + ? {m} {m,}
    {m,n}` (m, n <= 255, optionally lazy `?`), escapes `\\d \\w \\s \\D \\W \\S \\n \\t
    \\r` and escaped metacharacters. Not accepted: `(?...)` constructs (lookaround, flags,
    named groups), back-references, `\\b`/`\\A`/`\\Z`, POSIX `[[:alpha:]]` classes, NUL
    and lone surrogates (PostgreSQL text cannot hold them)."""
    try:
        _translate(pattern)
    except RegexError as exc:
        return str(exc)
    return None


def shown_pattern(pattern: str, limit: int = 60) -> str:
    """A pattern quoted for a message: escapes visible, a long one cut short."""
    text = repr(pattern)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def re2_pattern(pattern: str) -> str:
    """The RE2 spelling of a subset pattern (for SQLite's REGEXP function); raises
    RegexError for a pattern outside the subset."""
    return _translate(pattern)


@dataclass
class _Group:
    """Sizes of one nesting level; `last_*` are those of its latest atom (what a
    quantifier that follows repeats)."""

    atoms: int = 0
    optional: int = 0
    repeat: int = 1  # the largest product of nested bounds in it
    last_atoms: int = 0
    last_optional: int = 0
    last_repeat: int = 1
    out: list[str] = field(default_factory=list)

    def add(self, atoms: int, optional: int, text: str, repeat: int = 1) -> None:
        self.atoms += atoms
        self.optional += optional
        self.repeat = max(self.repeat, repeat)
        self.last_atoms, self.last_optional, self.last_repeat = atoms, optional, repeat
        self.out.append(text)


@lru_cache(maxsize=256)
def _translate(pattern: str) -> str:
    stack = [_Group()]
    can_repeat = False  # a quantifier needs an atom before it
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        col = i + 1
        level = stack[-1]
        _check_char(ch, col)
        if ch == "\\":
            level.add(1, 0, _escape(pattern, i, _CLASS_ESCAPES))
            i += 2
            can_repeat = True
        elif ch == "[":
            i, text = _bracket(pattern, i)
            level.add(1, 0, text)
            can_repeat = True
        elif ch == "(":
            if pattern.startswith("(?", i):
                raise RegexError(
                    col,
                    "'(?' constructs (lookaround, flags, named or non-capturing groups) "
                    "are not in the portable subset",
                )
            if len(stack) > MAX_DEPTH:
                raise RegexError(col, f"groups are nested deeper than {MAX_DEPTH}")
            stack.append(_Group(out=["("]))
            i += 1
            can_repeat = False
        elif ch == ")":
            if len(stack) == 1:
                raise RegexError(col, "unbalanced ')'")
            inner = stack.pop()
            empty = 1 if not inner.out[-1:] or inner.out[-1] in ("(", "|") else 0
            text = "".join(inner.out) + ")"
            stack[-1].add(inner.atoms + 1, inner.optional + empty, text, inner.repeat)
            i += 1
            can_repeat = True
        elif ch in "*+?{":
            if not can_repeat:
                raise RegexError(col, f"quantifier {ch!r} has nothing to repeat")
            i = _quantifier(pattern, i, level)
            if i < n and pattern[i] in "*+?{":
                raise RegexError(i + 1, "a quantifier cannot follow a quantifier")
            can_repeat = False
        elif ch == "|":
            if not level.out or level.out[-1] in ("(", "|"):
                level.optional += 1  # an empty alternative
            level.out.append("|")
            level.atoms += 1
            i += 1
            can_repeat = False
        elif ch in "^$":
            level.out.append(r"\z" if ch == "$" else "^")  # \z: the very end, as in PostgreSQL
            i += 1
            can_repeat = False
        elif ch in "}]":
            raise RegexError(col, f"unescaped {ch!r} (write \\{ch})")
        else:
            level.add(1, 0, ch)
            i += 1
            can_repeat = True
        _check_size(stack, col)
    if len(stack) > 1:
        raise RegexError(len(pattern), "'(' is not closed")
    if stack[0].out[-1:] == ["|"]:
        stack[0].optional += 1
        _check_size(stack, n)
    return "".join(stack[0].out)


def _check_char(ch: str, col: int) -> None:
    if ch == "\x00":
        raise RegexError(col, "NUL is not allowed in a pattern (PostgreSQL text cannot hold it)")
    if "\ud800" <= ch <= "\udfff":
        raise RegexError(col, f"a lone surrogate (U+{ord(ch):04X}) is not a character")


def _check_size(stack: list[_Group], col: int) -> None:
    """The pattern so far, as PostgreSQL would expand it, is within the budgets."""
    atoms = sum(level.atoms for level in stack)
    optional = sum(level.optional for level in stack)
    if atoms > MAX_ATOMS or optional > MAX_OPTIONAL:
        raise RegexError(
            max(col, 1),
            f"the pattern is too large once its bounds are expanded (more than {MAX_ATOMS} "
            f"atoms or {MAX_OPTIONAL} optional parts); PostgreSQL would refuse it as too "
            "complex: use smaller bounds",
        )


def _quantifier(pattern: str, i: int, level: _Group) -> int:
    """Read the quantifier at `i`, scale the atom it repeats; returns the index after it."""
    ch = pattern[i]
    if ch == "{":
        match = _BOUND.match(pattern, i)
        if not match:
            raise RegexError(
                i + 1,
                "'{' must start a bound {m}, {m,} or {m,n} (write \\{ for a literal brace)",
            )
        low_text, comma, high_text = match.group(1), match.group(2), match.group(3)
        if len(low_text) > 3 or len(high_text or "") > 3:
            raise RegexError(i + 1, f"bad bound {match.group(0)} (0..{MAX_BOUND}, m <= n)")
        low = int(low_text)
        high = int(high_text) if high_text else (None if comma else low)
        if low > MAX_BOUND or (high is not None and (high > MAX_BOUND or high < low)):
            raise RegexError(i + 1, f"bad bound {match.group(0)} (0..{MAX_BOUND}, m <= n)")
        text, end = match.group(0), match.end()
        copies = high if high is not None else low + 1
        optional_copies = (high - low) if high is not None else 1
        count = high if high is not None else low
        if count and level.last_repeat * count > MAX_NESTED_REPEAT:
            raise RegexError(
                i + 1,
                f"bounds nested in one another multiply to more than {MAX_NESTED_REPEAT} "
                "(RE2, which evaluates patterns on SQLite, refuses that): use smaller bounds",
            )
        level.last_repeat *= max(count, 1)
        level.repeat = max(level.repeat, level.last_repeat)
    else:
        text, end = ch, i + 1
        copies = 1
        optional_copies = 0 if ch == "+" else 1
    if end < len(pattern) and pattern[end] == "?":  # lazy: same match/no-match in both
        text += "?"
        end += 1
    atoms, optional = level.last_atoms, level.last_optional
    level.atoms += atoms * (copies - 1)
    level.optional += optional * (copies - 1) + optional_copies
    level.out[-1] += text
    return end


def _escape(pattern: str, i: int, classes: str) -> str:
    """The escape at `i` (a backslash) in RE2 spelling."""
    if i + 1 >= len(pattern):
        raise RegexError(i + 1, "pattern ends with a lone backslash")
    nxt = pattern[i + 1]
    if nxt in classes or nxt in _LITERAL_ESCAPES or nxt in _CONTROL_ESCAPES:
        return "\\" + nxt
    where = " inside [...]" if classes != _CLASS_ESCAPES else ""
    raise RegexError(
        i + 1,
        f"escape \\{nxt}{where} is not in the portable subset "
        "(PostgreSQL and RE2 read it differently or not at all)",
    )


def _bracket(pattern: str, start: int) -> tuple[int, str]:
    """A bracket class at `start` -> (index after it, RE2 text). Every literal is
    written escaped or as itself (no engine reads a set operation into it); ranges must
    run in code-point order between two single characters (both stores refuse others)."""
    i = start + 1
    n = len(pattern)
    out = ["["]
    if i < n and pattern[i] == "^":
        out.append("^")
        i += 1
    first = True
    after_range = False
    while True:
        if i >= n:
            raise RegexError(start + 1, "'[' is not closed")
        ch = pattern[i]
        _check_char(ch, i + 1)
        if ch == "]" and not first:
            out.append("]")
            return i + 1, "".join(out)
        if ch == "[" and i + 1 < n and pattern[i + 1] in ":.=":
            raise RegexError(
                i + 1,
                "POSIX classes like [[:alpha:]] are not in the portable subset "
                "(use ranges or \\d \\w \\s)",
            )
        if ch == "-" and after_range and i + 1 < n and pattern[i + 1] != "]":
            raise RegexError(
                i + 1, "'-' right after a range starts no range (write \\- for a literal '-')"
            )
        low_at = i
        low, low_text, i = _bracket_item(pattern, i)
        first = False
        after_range = False
        if i + 1 < n and pattern[i] == "-" and pattern[i + 1] != "]":
            dash = i
            high, high_text, i = _bracket_item(pattern, i + 1)
            if low is None or high is None:
                raise RegexError(dash + 1, "a range cannot start or end with \\d, \\w or \\s")
            if ord(high) < ord(low):
                raise RegexError(
                    low_at + 1,
                    f"range {pattern[low_at:i]!r} runs backwards "
                    f"({low!r} comes after {high!r}); write the smaller end first",
                )
            out.append(f"{low_text}-{high_text}")
            after_range = True
        else:
            out.append(low_text)


def _bracket_item(pattern: str, i: int) -> tuple[str | None, str, int]:
    """One member at `i`: (its character or None for a class escape, RE2 text, next i)."""
    ch = pattern[i]
    _check_char(ch, i + 1)
    if ch == "\\":
        text = _escape(pattern, i, "dws")
        nxt = pattern[i + 1]
        if nxt in "dws":
            return None, text, i + 2
        char = _CONTROL_ESCAPES.get(nxt, nxt)
        return char, _class_literal(char), i + 2
    return ch, _class_literal(ch), i + 1


def _class_literal(ch: str) -> str:
    """A character as RE2 (and Python) read it literally inside [...]."""
    if ch.isalnum() or ord(ch) > 127:
        return ch
    if ch in "\n\t\r":
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch]
    return "\\" + ch if ch.isprintable() else f"\\x{ord(ch):02x}"
