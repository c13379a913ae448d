"""The CAs every TLS context trusts: the system store plus certifi's."""

from __future__ import annotations

import importlib.util
import os
import re
import ssl

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


def trusting_context() -> ssl.SSLContext:
    """A new client context trusting the system and certifi CAs."""
    return _load()
