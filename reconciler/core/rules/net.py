"""Address policy for configured URLs: literal IPs in private, loopback, link-local or
reserved ranges are refused unless reconciler.yaml `network.allow` lists them (a CIDR, an
exact host, or `*.suffix`). Shared by `validate` (literal IPs) and `check` (resolved IPs)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(host: str) -> IPAddress | None:
    """A literal IP (brackets and IPv6 zone ids stripped), else None."""
    host = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def blocked_reason(ip: IPAddress) -> str | None:
    """Why an address is not a public endpoint (None when it is fine)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        reason = blocked_reason(ip.ipv4_mapped)
        return f"IPv4-mapped {reason}" if reason else None
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "reserved"
    return None


def host_is_loopback_name(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(".localhost")


def check_allow_entry(entry: str) -> str | None:
    """An error message when a network.allow entry is neither a CIDR nor a host pattern."""
    if "/" in entry or parse_ip(entry) is not None:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            return f"'{entry}' is not a valid CIDR: {exc}"
        return None
    name = entry[2:] if entry.startswith("*.") else entry
    labels = name.rstrip(".").split(".")
    if not name or any(
        not label or len(label) > 63 or not all(c.isalnum() or c == "-" for c in label)
        for label in labels
    ):
        return f"'{entry}' is neither a CIDR (10.0.0.0/8) nor a host name (api.corp, *.corp)"
    return None


def is_allowed(host: str, ip: IPAddress | None, allow: Sequence[str]) -> bool:
    """Whether reconciler.yaml `network.allow` covers this host or address."""
    host_l = host.lower().strip("[]").rstrip(".")
    for entry in allow:
        entry_l = entry.lower().rstrip(".")
        if entry_l.startswith("*."):
            if host_l.endswith(entry_l[1:]):
                return True
        elif "/" in entry_l or parse_ip(entry_l) is not None:
            if ip is None:
                continue
            try:
                network = ipaddress.ip_network(entry_l, strict=False)
            except ValueError:
                continue
            candidates = [ip]
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
                candidates.append(ip.ipv4_mapped)
            if any(c.version == network.version and c in network for c in candidates):
                return True
        elif host_l == entry_l:
            return True
    return False
