"""The CAs every TLS context trusts (system store + certifi), loadable ahead of time.

Loading them is most of a context's cost (~60 ms); `reconciler check` and `requests dispatch`
start it on a thread first thing (`prefetch_trust`), before importing asyncio and the rest,
and their TLS context takes the result (`trusting_context`). This module imports nothing heavy for that reason."""

from __future__ import annotations

import importlib.util
import os
import re
import ssl
import threading

_HASHED_NAME = re.compile(r"[0-9a-f]{8}\.[0-9]+")


def system_capath() -> str | None:
    """The system's hashed CA directory when it can stand for the system CA file: OpenSSL
    then reads a root when a chain needs it instead of parsing every root up front (half
    the cost of a context). None -- load the defaults eagerly -- when the environment
    points OpenSSL elsewhere (SSL_CERT_FILE/SSL_CERT_DIR naming other places than the
    defaults) or the directory is not hashed (c_rehash / update-ca-certificates keep the
    links and the file in step)."""
    paths = ssl.get_default_verify_paths()
    named_file = os.environ.get(paths.openssl_cafile_env) or paths.openssl_cafile
    named_dir = os.environ.get(paths.openssl_capath_env) or paths.openssl_capath
    if not (_same(named_file, paths.openssl_cafile) and _same(named_dir, paths.openssl_capath)):
        return None
    capath = paths.capath
    if not capath or not os.path.isdir(capath):
        return None
    try:
        with os.scandir(capath) as entries:
            return capath if any(_HASHED_NAME.fullmatch(e.name) for e in entries) else None
    except OSError:
        return None


def _same(path: str, default: str) -> bool:
    """The environment may name the defaults themselves (some images set SSL_CERT_FILE and
    SSL_CERT_DIR to them): that is not elsewhere."""
    return path == default or os.path.realpath(path) == os.path.realpath(default)


def certifi_bundle() -> str:
    """certifi's CA file, found without importing certifi (which pulls importlib.resources
    in, a tenth of a short command's start-up)."""
    spec = importlib.util.find_spec("certifi")
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(location, "cacert.pem")
        if os.path.isfile(path):
            return path
    import certifi  # e.g. installed zipped: let it extract the file

    return certifi.where()


def _load() -> ssl.SSLContext:
    context = ssl.create_default_context(capath=system_capath())
    context.load_verify_locations(cafile=certifi_bundle())
    return context


class _Loading(threading.Thread):
    """The CAs loading on their own thread: a context or the error, handed out once.
    (A bare thread: concurrent.futures would import logging, a tenth of `check`'s imports.)"""

    def __init__(self) -> None:
        super().__init__(name="reconciler-cas", daemon=True)
        self.outcome: ssl.SSLContext | BaseException | None = None

    def run(self) -> None:
        try:
            self.outcome = _load()
        except BaseException as exc:  # raised by trusting_context, on the caller's thread
            self.outcome = exc

    def context(self) -> ssl.SSLContext:
        self.join()
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        assert self.outcome is not None
        return self.outcome


_prefetched: _Loading | None = None  # not yet handed out
_prefetching: _Loading | None = None  # the last one started (prefetch_finished)
_prefetch_lock = threading.Lock()


def prefetch_trust() -> None:
    """Start loading the system and certifi CAs -- most of a TLS context's cost -- on a
    thread now, for this process's next build_ssl_context (`check` and `requests dispatch`
    call it first: OpenSSL parses the files without holding the GIL, so the loading takes
    nothing from the imports on the other core)."""
    global _prefetched, _prefetching
    with _prefetch_lock:
        if _prefetched is not None:
            return
        _prefetched = _prefetching = _Loading()
        _prefetched.start()


def prefetch_finished() -> None:
    """Wait until a prefetch started by prefetch_trust has ended (its context stays for
    trusting_context): before a fork, no thread may be at work."""
    with _prefetch_lock:
        loading = _prefetching
    if loading is not None:
        loading.join()


def trusting_context() -> ssl.SSLContext:
    """A new client context trusting the system and certifi CAs: the prefetched one if
    there is one (each is handed out once), else loaded now."""
    global _prefetched
    with _prefetch_lock:
        loading, _prefetched = _prefetched, None
    return loading.context() if loading is not None else _load()
