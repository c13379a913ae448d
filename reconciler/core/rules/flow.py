"""Rules for one flow file: URLs and headers."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import idna

from reconciler.core.netpolicy import (
    AllowlistError,
    NetPolicy,
    allow_entry,
    describe,
    literal_address,
    normalize_host,
)
from reconciler.core.rules import DocPath, Issue, Locator, get

# RFC 9110 5.6.2: token = 1*tchar
HEADER_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
MAX_HEADER_VALUE = 8 * 1024
# Headers the tool sets itself on every POST.
OWNED_HEADERS = frozenset(
    ("host", "content-length", "content-type", "transfer-encoding", "connection", "idempotency-key")
)
OWNED_PREFIXES = ("webhook-",)
SECRET_EXACT = frozenset(("authorization", "proxy-authorization", "cookie"))
SECRET_PARTS = ("key", "token", "secret", "passw")  # password, passwd
ACTIONS = ("resubmit", "resume")


def is_secret_header(name: str) -> bool:
    lower = name.lower()
    return lower in SECRET_EXACT or any(part in lower for part in SECRET_PARTS)


def is_owned_header(name: str) -> bool:
    lower = name.lower()
    return lower in OWNED_HEADERS or lower.startswith(OWNED_PREFIXES)


def policy_of(allow: Sequence[str]) -> NetPolicy:
    """The allowlist, skipping bad entries (those are reported on reconciler.yaml)."""
    good = []
    for entry in allow:
        try:
            NetPolicy.parse([entry])
        except AllowlistError:
            continue
        good.append(entry)
    return NetPolicy.parse(good)


_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+\Z")


def numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a host name spells the way the C resolver reads one (inet_aton:
    `2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`), when it is one. Dotted quads are
    literals (`literal_address`); this is for the other spellings."""
    if not _NUMERIC_HOST.match(host) or not host[0].isdigit():
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def check_url(url: str, path: DocPath, policy: NetPolicy) -> list[Issue]:
    issues: list[Issue] = []
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return [Issue(path, "url-host", f"URL '{url}' is not valid: {exc}")]
    del port
    if parts.scheme.lower() != "https":
        shown = parts.scheme or "no scheme"
        issues.append(
            Issue(
                path,
                "url-scheme",
                f"URL must use https:// (got {shown})",
                "run records are sent over TLS only",
            )
        )
    if "@" in parts.netloc:
        issues.append(
            Issue(
                path,
                "url-userinfo",
                "URL must not contain credentials (user:password@)",
                "send credentials in a header with valueFrom: {env: NAME}",
            )
        )
    if parts.fragment or url.endswith("#"):
        issues.append(
            Issue(path, "url-fragment", "URL must not have a #fragment (it is never sent)")
        )
    host = parts.hostname or ""
    if not host:
        issues.append(Issue(path, "url-host", "URL has no host"))
        return issues
    if not host.isascii():
        try:
            idna.encode(host, uts46=True)
        except idna.IDNAError as exc:
            issues.append(
                Issue(
                    path,
                    "url-host",
                    f"URL host '{host}' is not a valid international domain name: {exc}",
                    "check the spelling, or write the host in its IDNA form (xn--...)",
                )
            )
            return issues
    address = literal_address(host)
    numeric = numeric_ipv4(host) if address is None else None
    if numeric is not None:
        # Written as one number, in hex or octal, or with parts left out: the resolver
        # reads it as this address, so it is judged as this address.
        address = numeric
        refused = policy.refusal(str(numeric), numeric) is not None
        what = f"{host} stands for {numeric}, which is " + describe(numeric).removeprefix(
            f"{numeric} is "
        )
        host = str(numeric)
    elif address is not None:
        refused = policy.refusal(host, address) is not None
        what = describe(address)
    else:
        name = normalize_host(host)
        loopback = name == "localhost" or name.endswith(".localhost")
        refused = loopback and not policy.allows_host(host)
        what = f"{host} is loopback"
    if refused:
        issues.append(
            Issue(
                path,
                "url-private-address",
                f"URL host {what}",
                "if this endpoint is intended, allow it in reconciler.yaml: "
                f'network.allow: ["{allow_entry(host, address)}"]',
            )
        )
    return issues


def check_headers(headers: Any, path: DocPath, loc: Locator) -> list[Issue]:
    issues: list[Issue] = []
    if not isinstance(headers, list):
        return issues
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        if not isinstance(header, dict):
            continue
        here = (*path, index)
        name = header.get("name")
        if isinstance(name, str) and name:
            name_path = (*here, "name")
            if not HEADER_TOKEN.match(name):
                issues.append(
                    Issue(
                        name_path,
                        "header-name",
                        f"header name '{name}' is not an RFC 9110 token",
                        "use letters, digits and !#$%&'*+-.^_`|~ only (no spaces, colons or quotes)",
                    )
                )
            lower = name.lower()
            if lower in seen:
                first = headers[seen[lower]]["name"]
                first_line = loc.value_pos((*path, seen[lower], "name"))[0]
                this_line = loc.value_pos(name_path)[0]
                issues.append(
                    Issue(
                        name_path,
                        "header-duplicate",
                        f"header '{name}' (line {this_line}) duplicates '{first}' (line {first_line}); "
                        "header names are case-insensitive",
                        "keep one of them: the dashboard silently dropped duplicates",
                    )
                )
            else:
                seen[lower] = index
            if is_owned_header(name):
                issues.append(
                    Issue(
                        name_path,
                        "header-reserved",
                        f"header '{name}' is set by flow-reconciler itself",
                        "remove it: Host, Content-Length, Content-Type, Transfer-Encoding, "
                        "Connection, Idempotency-Key and webhook-* are owned by the tool",
                    )
                )
            elif (
                is_secret_header(name)
                and "value" in header
                and header.get("allowLiteralSecret") is not True
            ):
                issues.append(
                    Issue(
                        (*here, "value"),
                        "header-literal-secret",
                        f"header '{name}' looks like a secret but has a literal value",
                        "use valueFrom: {env: NAME} so the secret never lives in Git; if the value "
                        "is not secret, set allowLiteralSecret: true on this header",
                    )
                )
        value = header.get("value")
        if isinstance(value, str):
            value_path = (*here, "value")
            bad = [
                label
                for char, label in (("\r", "CR"), ("\n", "LF"), ("\0", "NUL"))
                if char in value
            ]
            if bad:
                issues.append(
                    Issue(
                        value_path,
                        "header-value",
                        f"header value contains {', '.join(bad)}: that would inject headers",
                        "header values are one line of text",
                    )
                )
            size = len(value.encode("utf-8"))
            if size > MAX_HEADER_VALUE:
                issues.append(
                    Issue(
                        value_path,
                        "header-value-size",
                        f"header value is {size} bytes; the limit is {MAX_HEADER_VALUE} (8 KiB)",
                    )
                )
    return issues


def check_flow(data: Any, loc: Locator, allow: Sequence[str] = ()) -> list[Issue]:
    """Every per-file rule for a flow document (schema checks run separately)."""
    issues: list[Issue] = []
    policy = policy_of(allow)
    for action in ACTIONS:
        endpoint = get(data, action)
        if not isinstance(endpoint, dict):
            continue
        url = endpoint.get("url")
        if isinstance(url, str) and url:
            issues.extend(check_url(url, (action, "url"), policy))
        issues.extend(check_headers(endpoint.get("headers"), (action, "headers"), loc))
    return issues
