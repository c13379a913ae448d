"""Secrets come from the environment at send time and never go anywhere else.

`resolve_env` reads a variable named by a `valueFrom: {env: NAME}` reference and registers
the value with the process-wide masker; every reporter and the CLI error handler pass text
through `mask()`, and the ledger masks response texts before storing them."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping

from reconciler.errors import ConfigError

MASK = "***"


class MissingSecret(ConfigError):
    """An `env:` reference names a variable that is not set (or is empty)."""


class Masker:
    """Replaces every registered value in a text. Thread-safe; longest values first so a
    secret that contains another is hidden whole."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, value: str) -> None:
        if not value.strip():
            return
        with self._lock:
            if value not in self._values:
                self._values.add(value)
                ordered = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in ordered))

    def mask(self, text: str) -> str:
        pattern = self._pattern
        if pattern is None or not text:
            return text
        return pattern.sub(MASK, text)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._pattern = None


MASKER = Masker()


def mask(text: str) -> str:
    return MASKER.mask(text)


def resolve_env(name: str, *, used_for: str, environ: Mapping[str, str] | None = None) -> str:
    """The value of env var `name`, registered for masking. `used_for` says what needs it
    (e.g. "header x-api-key of flow Orders") for the error message."""
    env = os.environ if environ is None else environ
    value = env.get(name)
    if value is None or value == "":
        state = "empty" if value == "" else "not set"
        raise MissingSecret(
            f"environment variable {name} is {state} ({used_for})",
            hint=f"export {name} in the environment that runs the command "
            "(in GitHub Actions: a repository or environment secret)",
        )
    MASKER.add(value)
    return value
