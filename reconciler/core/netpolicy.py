"""The network policy for configured endpoints, pure.

Which addresses an endpoint may resolve to before we connect: public unicast only, unless
reconciler.yaml `network.allow` names the host (exact or `*.suffix`) or a CIDR holding the
address. An IPv6 address that carries an IPv4 address (IPv4-mapped, IPv4-compatible, 6to4,
NAT64) is judged, and connected to, as that IPv4 address only: `::ffff:127.0.0.1` is
loopback, and an IPv6 allow entry (`::/0`, `2002::/16`, ...) never admits it -- what the
connection reaches is the IPv4 address, so only what would admit that address does.

No sockets and no DNS here: `reconciler.http.guard` resolves and connects; validation uses
`literal_address`/`NetPolicy.refusal` on literal IPs in URLs.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AddressClass(StrEnum):
    PUBLIC = "public"
    UNSPECIFIED = "unspecified"
    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link-local"
    MULTICAST = "multicast"
    RESERVED = "reserved"


def _nets(*cidrs: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# Order matters: the first match names the class. Anything not listed and not global is
# RESERVED (Python's own tables are inconsistent across versions, so we keep ours).
_V4_CIDRS: tuple[tuple[AddressClass, tuple[str, ...]], ...] = (
    (AddressClass.UNSPECIFIED, ("0.0.0.0/32",)),
    (AddressClass.LOOPBACK, ("127.0.0.0/8",)),
    (AddressClass.LINK_LOCAL, ("169.254.0.0/16",)),
    (AddressClass.PRIVATE, ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")),
    (AddressClass.MULTICAST, ("224.0.0.0/4",)),
    (
        AddressClass.RESERVED,
        (
            "0.0.0.0/8",  # "this network": Linux connects 0.x to the local host
            "192.0.0.0/24",
            "192.0.2.0/24",
            "192.88.99.0/24",
            "198.18.0.0/15",
            "198.51.100.0/24",
            "203.0.113.0/24",
            "240.0.0.0/4",  # includes 255.255.255.255
        ),
    ),
)
_V6_CIDRS: tuple[tuple[AddressClass, tuple[str, ...]], ...] = (
    (AddressClass.UNSPECIFIED, ("::/128",)),
    (AddressClass.LOOPBACK, ("::1/128",)),
    (AddressClass.LINK_LOCAL, ("fe80::/10",)),
    (AddressClass.PRIVATE, ("fc00::/7", "fec0::/10")),
    (AddressClass.MULTICAST, ("ff00::/8",)),
    (
        AddressClass.RESERVED,
        ("2001::/23", "2001:db8::/32", "3fff::/20", "5f00::/16", "100::/64", "64:ff9b:1::/48"),
    ),
)


class _Tables(NamedTuple):
    v4: tuple[tuple[AddressClass, tuple[IPNetwork, ...]], ...]
    v6: tuple[tuple[AddressClass, tuple[IPNetwork, ...]], ...]
    v6_global_unicast: IPNetwork
    six_to_four: IPNetwork
    nat64: IPNetwork
    v4_compatible: IPNetwork
    metadata: frozenset[IPAddress]


@functools.cache
def _tables() -> _Tables:
    """The address tables, parsed on first use: commands that never look at an address
    (most of them import this module) do not pay for it."""
    return _Tables(
        v4=tuple((klass, _nets(*cidrs)) for klass, cidrs in _V4_CIDRS),
        v6=tuple((klass, _nets(*cidrs)) for klass, cidrs in _V6_CIDRS),
        v6_global_unicast=ipaddress.ip_network("2000::/3"),
        six_to_four=ipaddress.ip_network("2002::/16"),
        nat64=ipaddress.ip_network("64:ff9b::/96"),
        v4_compatible=ipaddress.ip_network("::/96"),
        metadata=frozenset(
            ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
        ),
    )


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, when it stands for one."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    tables = _tables()
    if address in tables.six_to_four:
        return address.sixtofour
    if address in tables.nat64 or (address in tables.v4_compatible and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def effective_address(address: IPAddress) -> IPAddress:
    """What a connection to `address` really reaches (mapped forms unwrapped)."""
    inner = embedded_ipv4(address)
    return inner if inner is not None else address


def classify(address: IPAddress) -> AddressClass:
    target = effective_address(address)
    tables = _tables()
    if isinstance(target, ipaddress.IPv4Address):
        for klass, nets in tables.v4:
            if any(target in n for n in nets):
                return klass
        return AddressClass.PUBLIC if target.is_global else AddressClass.RESERVED
    for klass, nets in tables.v6:
        if any(target in n for n in nets):
            return klass
    return AddressClass.PUBLIC if target in tables.v6_global_unicast else AddressClass.RESERVED


def describe(address: IPAddress) -> str:
    """`169.254.169.254 is link-local (cloud metadata service)` -- for messages."""
    klass = classify(address)
    target = effective_address(address)
    text = f"{address} is {klass.value}"
    if target != address:
        text += f" (it stands for {target})"
    metadata = _tables().metadata
    if target in metadata or address in metadata:
        text += " (cloud metadata service)"
    return text


def allow_entry(host: str, address: IPAddress | None) -> str:
    """What `network.allow` needs to admit `host` at `address`: the IPv4 address an
    IPv4-carrying IPv6 address stands for (no IPv6 entry admits it), else the host."""
    inner = None if address is None else embedded_ipv4(address)
    return host if inner is None else str(inner)


def literal_address(host: str) -> IPAddress | None:
    """The IP address a URL host is, if it is a literal (`[::1]` brackets allowed)."""
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def normalize_host(host: str) -> str:
    """Lower case, no trailing dot, IDNA (punycode) for non-ASCII names."""
    text = host.strip().rstrip(".").lower()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if not text.isascii():
        # An invalid name stays as is: it matches no allow entry and will not resolve.
        with contextlib.suppress(UnicodeError):
            text = text.encode("idna").decode("ascii")
    return text


class AllowlistError(ValueError):
    """An entry of `network.allow` that is neither a host, a `*.suffix` nor a CIDR."""

    def __init__(self, index: int, entry: str, problem: str) -> None:
        super().__init__(f"network.allow[{index}] {entry!r}: {problem}")
        self.index = index
        self.entry = entry
        self.problem = problem


def _valid_hostname(name: str) -> bool:
    labels = name.split(".")
    return (
        bool(name)
        and len(name) <= 253
        and all(
            0 < len(label) <= 63
            and label[0] != "-"
            and label[-1] != "-"
            and all(c.isalnum() or c in "-_" for c in label)
            for label in labels
        )
    )


@dataclass(frozen=True)
class NetPolicy:
    """The allowlist, parsed. An empty policy allows public unicast addresses only."""

    hosts: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()  # ".corp.example" for "*.corp.example"
    networks: tuple[IPNetwork, ...] = ()
    entries: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def parse(cls, entries: Iterable[str]) -> NetPolicy:
        """Raises AllowlistError naming the first bad entry."""
        hosts: set[str] = set()
        suffixes: list[str] = []
        networks: list[IPNetwork] = []
        kept: list[str] = []
        for index, raw in enumerate(entries):
            entry = raw.strip()
            kept.append(entry)
            if not entry:
                raise AllowlistError(index, raw, "empty entry")
            if literal_address(entry.split("/", 1)[0]) is not None:
                try:
                    networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                except ValueError as exc:
                    raise AllowlistError(index, raw, f"not a valid CIDR ({exc})") from None
                continue
            if entry.startswith("*."):
                suffix = normalize_host(entry[2:])
                if not _valid_hostname(suffix):
                    raise AllowlistError(index, raw, "not a valid *.domain pattern")
                suffixes.append("." + suffix)
                continue
            host = normalize_host(entry)
            if not _valid_hostname(host):
                raise AllowlistError(
                    index,
                    raw,
                    "expected a host name, *.domain or a CIDR (no scheme, port or path)",
                )
            hosts.add(host)
        return cls(frozenset(hosts), tuple(suffixes), tuple(networks), tuple(kept))

    def allows_host(self, host: str) -> bool:
        name = normalize_host(host)
        return name in self.hosts or any(name.endswith(s) for s in self.suffixes)

    def allows_address(self, address: IPAddress) -> bool:
        # Judged as what a connection reaches: an IPv4-carrying IPv6 address is its IPv4
        # address, so only IPv4 entries can admit it.
        target = effective_address(address)
        if classify(target) is AddressClass.PUBLIC:
            return True
        return any(target in n for n in self.networks if target.version == n.version)

    def refusal(self, host: str, address: IPAddress) -> str | None:
        """Why connecting to `address` for `host` is refused, or None when it is allowed."""
        if self.allows_host(host) or self.allows_address(address):
            return None
        inner = embedded_ipv4(address)
        what = "it" if inner is None else str(inner)  # an IPv6 entry would not admit it
        return f"{describe(address)}; allow {what} in reconciler.yaml network.allow"

    def screen(self, host: str, addresses: Sequence[IPAddress]) -> Screening:
        """Split resolved addresses into the ones we may connect to and the refused ones."""
        permitted: list[IPAddress] = []
        refused: list[tuple[IPAddress, str]] = []
        for address in addresses:
            why = self.refusal(host, address)
            if why is None:
                # Connect to what the address reaches, never to a form the OS may map.
                target = effective_address(address)
                if target not in permitted:
                    permitted.append(target)
            else:
                refused.append((address, why))
        return Screening(host, tuple(permitted), tuple(refused))


class Screening(NamedTuple):
    host: str
    permitted: tuple[IPAddress, ...]
    refused: tuple[tuple[IPAddress, str], ...]

    @property
    def reason(self) -> str:
        """Plain words for "nothing left to connect to"."""
        if not self.refused:
            return f"{self.host} resolved to no address"
        first = self.refused[0][1]
        more = f" (and {len(self.refused) - 1} more address(es))" if len(self.refused) > 1 else ""
        return f"refused by network policy: {first}{more}"
