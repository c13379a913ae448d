"""The TLS context of every outbound request: verification always on (certificate chain
and the URL's host name), TLS 1.2 at least, trusting the system CAs, certifi's, and an
optional extra PEM bundle (`network.caBundle` or `--ca-bundle`).

A bundle is read as one PEM file, so a CA appended to it is trusted as it is (no hashed
directory, no `c_rehash`)."""

from __future__ import annotations

import ssl
from pathlib import Path

import certifi

from reconciler.errors import ConfigError


def build_ssl_context(ca_bundle: str | Path | None = None) -> ssl.SSLContext:
    """Raises ConfigError when `ca_bundle` is missing or not a PEM certificate file."""
    context = ssl.create_default_context()  # system CAs, CERT_REQUIRED, host name checks
    context.load_verify_locations(cafile=certifi.where())
    if ca_bundle is not None:
        _load_bundle(context, Path(ca_bundle))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _load_bundle(context: ssl.SSLContext, path: Path) -> None:
    hint = "network.caBundle in reconciler.yaml is relative to the repo root"
    if not path.exists():
        raise ConfigError(f"CA bundle {path} does not exist", hint=hint)
    if not path.is_file():  # a directory or a device (/dev/zero would be read forever)
        raise ConfigError(f"CA bundle {path} is not a regular file", hint=hint)
    try:
        context.load_verify_locations(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise ConfigError(
            f"CA bundle {path} is not a readable PEM certificate file: {exc}"
        ) from None
