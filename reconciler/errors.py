"""The one error hierarchy. Every error a user can cause is a ReconcilerError with a
message and, where it helps, a hint; the CLI's single handler maps it to an exit code.

Exit codes (documented in the README):
  0 success; 1 findings or failures; 2 pending changes (only `plan --detailed-exitcode`);
  64 usage error; 70 internal error; 130 interrupted.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CHANGES = 2
EXIT_USAGE = 64
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


class ReconcilerError(Exception):
    """A failure the user can understand and act on."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(ReconcilerError):
    """Bad command-line arguments or options."""

    exit_code = EXIT_USAGE


class ConfigError(ReconcilerError):
    """reconciler.yaml, an environment variable or a store URL is not usable."""


class InputError(ReconcilerError):
    """A file given by the user cannot be read or parsed (with its position in the message)."""


class ValidationFailed(ReconcilerError):
    """The configuration tree has findings; plan/apply refuse to run on it."""


class StoreError(ReconcilerError):
    """The store cannot be opened, migrated or written."""


class StoreVersionError(StoreError):
    """The store's schema is newer than this tool knows."""


class LockTimeout(StoreError):
    """Another writer holds the store lock for longer than we were willing to wait."""


class StalePlanError(ReconcilerError):
    """A saved plan was computed on an older store revision or another tree."""


class PruneRefused(ReconcilerError):
    """Deletes were requested beyond --prune / --max-deletes."""


class DispatchError(ReconcilerError):
    """A request could not be dispatched (missing secret, refused selection...)."""


class InternalError(ReconcilerError):
    """A bug: reported in one line with a hint to rerun with --debug."""

    exit_code = EXIT_INTERNAL
