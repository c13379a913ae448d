"""Secrets: resolved from an environment the caller passes in, and masked everywhere.

A flow names its secrets by reference (`valueFrom: {env: NAME}`); `resolve_secrets` reads
them from the mapping its caller hands over (the process environment, in the CLI) and
registers every value with the process-wide masker. Every reporter, the CLI's error
handler and the ledger pass text through `mask()` before it is printed or stored.

A receiver may echo a secret back in another spelling -- inside a JSON document, URL-encoded
or base64-encoded -- so the masker hides each value in all of those forms too."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable, Mapping
from typing import NamedTuple
from urllib.parse import quote, quote_plus

from reconciler.errors import ConfigError

MASK = "***"
# Characters a header value must not carry: they would end the header (injection).
_FORBIDDEN = {"\r": "CR", "\n": "LF", "\0": "NUL"}


class MissingSecret(ConfigError):
    """`env:` references name variables that are not set (or are empty)."""


class InvalidSecret(ConfigError):
    """A secret's value cannot be sent as it is (e.g. a header value with a line break)."""


def secret_forms(value: str) -> set[str]:
    """The spellings in which `value` may come back from a receiver: as it is, escaped in
    JSON (with and without ASCII escapes, `/` escaped or not, upper-case hex), URL-encoded
    (path and form style) and base64-encoded (standard and URL-safe, padded or not)."""
    forms = {value}
    for ensure_ascii in (True, False):
        escaped = json.dumps(value, ensure_ascii=ensure_ascii)[1:-1]
        forms |= {escaped, escaped.replace("/", "\\/")}
        forms.add(re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), escaped))
    forms |= {quote(value, safe=""), quote_plus(value, safe="")}
    raw = value.encode("utf-8", "surrogatepass")
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode("ascii")
        forms |= {text, text.rstrip("=")}
    return {form for form in forms if form.strip()}


class Masker:
    """Replaces every registered value, in every form of `secret_forms`, in a text.
    Thread-safe; longest forms first so a secret that contains another is hidden whole."""

    def __init__(self) -> None:
        self._forms: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, value: str) -> None:
        if not value.strip():
            return  # blank values are not secrets worth garbling output for
        with self._lock:
            new = secret_forms(value) - self._forms
            if new:
                self._forms |= new
                ordered = sorted(self._forms, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(form) for form in ordered))

    def mask(self, text: str) -> str:
        pattern = self._pattern
        if pattern is None or not text:
            return text
        return pattern.sub(MASK, text)

    def clear(self) -> None:
        with self._lock:
            self._forms.clear()
            self._pattern = None


MASKER = Masker()


def mask(text: str) -> str:
    return MASKER.mask(text)


class SecretRef(NamedTuple):
    """A variable a flow needs, and what for ("header x-api-key of flow Orders")."""

    env: str
    used_for: str


def resolve_secrets(refs: Iterable[SecretRef], environ: Mapping[str, str]) -> dict[str, str]:
    """NAME -> value for every reference, each value registered with the masker. Raises
    MissingSecret naming every variable that is not set or empty (not only the first),
    and InvalidSecret naming the variable -- never its value -- when a value holds CR, LF
    or NUL. Nothing is sent when this raises."""
    wanted = list(refs)
    missing: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for ref in wanted:
        value = environ.get(ref.env)
        if not value:
            state = "empty" if value == "" else "not set"
            missing.setdefault(f"{ref.env} ({state})", []).append(ref.used_for)
        else:
            values[ref.env] = value
    for value in values.values():
        MASKER.add(value)
    if missing:
        names = "; ".join(f"{name}: {', '.join(uses)}" for name, uses in missing.items())
        plural = "s are" if len(missing) > 1 else " is"
        raise MissingSecret(
            f"environment variable{plural} missing: {names}",
            hint="export each of them in the environment that runs the command "
            "(in GitHub Actions: a repository or environment secret)",
        )
    for ref in wanted:
        bad = [label for char, label in _FORBIDDEN.items() if char in values[ref.env]]
        if bad and ref.used_for.startswith("header "):
            raise InvalidSecret(
                f"environment variable {ref.env} ({ref.used_for}) contains "
                f"{', '.join(bad)}: a header value is one line of text",
                hint=f"set {ref.env} to the value without line breaks",
            )
    return values
