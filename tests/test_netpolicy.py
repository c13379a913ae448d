"""The pure network policy: address classes, embedded IPv4 forms, the allowlist."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.netpolicy import (
    AddressClass,
    AllowlistError,
    NetPolicy,
    classify,
    describe,
    literal_address,
)

ip = ipaddress.ip_address


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("8.8.8.8", AddressClass.PUBLIC),
        ("2606:4700::1111", AddressClass.PUBLIC),
        ("127.0.0.1", AddressClass.LOOPBACK),
        ("127.1.2.3", AddressClass.LOOPBACK),
        ("::1", AddressClass.LOOPBACK),
        ("10.0.0.1", AddressClass.PRIVATE),
        ("172.31.255.255", AddressClass.PRIVATE),
        ("192.168.1.1", AddressClass.PRIVATE),
        ("100.64.0.1", AddressClass.PRIVATE),
        ("fd00::1", AddressClass.PRIVATE),
        ("fec0::1", AddressClass.PRIVATE),
        ("169.254.169.254", AddressClass.LINK_LOCAL),
        ("fe80::1", AddressClass.LINK_LOCAL),
        ("224.0.0.1", AddressClass.MULTICAST),
        ("ff02::1", AddressClass.MULTICAST),
        ("0.0.0.0", AddressClass.UNSPECIFIED),
        ("::", AddressClass.UNSPECIFIED),
        ("0.1.2.3", AddressClass.RESERVED),
        ("240.0.0.1", AddressClass.RESERVED),
        ("255.255.255.255", AddressClass.RESERVED),
        ("192.0.2.1", AddressClass.RESERVED),
        ("198.18.0.1", AddressClass.RESERVED),
        ("2001:db8::1", AddressClass.RESERVED),
        ("2001::1", AddressClass.RESERVED),  # Teredo
        ("4000::1", AddressClass.RESERVED),  # outside global unicast 2000::/3
        # IPv6 forms that stand for an IPv4 address are judged by it
        ("::ffff:127.0.0.1", AddressClass.LOOPBACK),
        ("::ffff:169.254.169.254", AddressClass.LINK_LOCAL),
        ("::ffff:10.0.0.1", AddressClass.PRIVATE),
        ("::ffff:8.8.8.8", AddressClass.PUBLIC),
        ("::127.0.0.1", AddressClass.LOOPBACK),  # IPv4-compatible
        ("2002:7f00:1::", AddressClass.LOOPBACK),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", AddressClass.LINK_LOCAL),  # 6to4 of 169.254.169.254
        ("64:ff9b::a00:1", AddressClass.PRIVATE),  # NAT64 of 10.0.0.1
        ("64:ff9b::808:808", AddressClass.PUBLIC),
    ],
)
def test_classify(address: str, expected: AddressClass) -> None:
    assert classify(ip(address)) is expected


def test_describe_names_metadata_and_mapped_forms() -> None:
    assert describe(ip("169.254.169.254")) == (
        "169.254.169.254 is link-local (cloud metadata service)"
    )
    assert describe(ip("::ffff:127.0.0.1")) == (
        "::ffff:7f00:1 is loopback (it stands for 127.0.0.1)"
    )


def test_empty_policy_refuses_everything_but_public() -> None:
    policy = NetPolicy()
    assert policy.refusal("example.com", ip("93.184.215.14")) is None
    for bad in ("127.0.0.1", "::ffff:127.0.0.1", "169.254.169.254", "10.0.0.1", "::1"):
        why = policy.refusal("example.com", ip(bad))
        assert why is not None and "network.allow" in why


def test_allow_by_cidr_host_and_suffix() -> None:
    policy = NetPolicy.parse(["127.0.0.1/32", "::1", "Localhost.", "*.Corp.Example", "10.1.0.0/16"])
    assert policy.refusal("x", ip("127.0.0.1")) is None
    assert policy.refusal("x", ip("::ffff:127.0.0.1")) is None  # same address, mapped form
    assert policy.refusal("x", ip("127.0.0.2")) is not None
    assert policy.refusal("x", ip("::1")) is None
    assert policy.refusal("localhost", ip("127.0.0.9")) is None
    assert policy.refusal("api.corp.example", ip("10.9.9.9")) is None
    assert policy.refusal("a.b.corp.example.", ip("10.9.9.9")) is None
    assert policy.refusal("corp.example", ip("10.9.9.9")) is not None  # suffix = subdomains
    assert policy.refusal("evilcorp.example", ip("10.9.9.9")) is not None
    assert policy.refusal("x", ip("10.1.200.3")) is None
    assert policy.refusal("x", ip("10.2.0.1")) is not None


def test_screen_keeps_allowed_addresses_and_connects_to_the_unwrapped_form() -> None:
    policy = NetPolicy.parse(["127.0.0.1/32"])
    screening = policy.screen("localhost", [ip("::1"), ip("::ffff:127.0.0.1"), ip("127.0.0.1")])
    assert screening.permitted == (ip("127.0.0.1"),)
    assert [str(a) for a, _ in screening.refused] == ["::1"]
    refused = NetPolicy().screen("localhost", [ip("127.0.0.1"), ip("::1")])
    assert refused.permitted == ()
    assert refused.reason.startswith("refused by network policy: 127.0.0.1 is loopback")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("", "empty entry"),
        ("https://corp.example", "expected a host name"),
        ("corp.example:443", "expected a host name"),
        ("*", "expected a host name"),
        ("*.", "not a valid *.domain"),
        ("10.0.0.0/33", "not a valid CIDR"),
        ("a..b", "expected a host name"),
    ],
)
def test_bad_allow_entries_are_named(entry: str, problem: str) -> None:
    with pytest.raises(AllowlistError) as info:
        NetPolicy.parse(["ok.example", entry])
    assert info.value.index == 1
    assert problem in str(info.value)


def test_literal_address() -> None:
    assert literal_address("[::1]") == ip("::1")
    assert literal_address("fe80::1%eth0") == ip("fe80::1")
    assert literal_address("example.com") is None


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_mapped_ipv4_is_judged_like_the_ipv4_address(value: int) -> None:
    v4 = ipaddress.IPv4Address(value)
    mapped = ipaddress.IPv6Address(f"::ffff:{v4}")
    assert classify(mapped) is classify(v4)
    policy = NetPolicy.parse(["127.0.0.0/8"])
    assert (policy.refusal("h", mapped) is None) == (policy.refusal("h", v4) is None)


def _carrying_forms(v4: ipaddress.IPv4Address) -> list[ipaddress.IPv6Address]:
    """Every IPv6 spelling that stands for `v4`: mapped, compatible, 6to4, NAT64."""
    n = int(v4)
    forms = [
        ipaddress.IPv6Address((0xFFFF << 32) | n),
        ipaddress.IPv6Address((0x2002 << 112) | (n << 80)),
        ipaddress.IPv6Address((0x64FF9B << 96) | n),
    ]
    if n > 1:  # ::0 and ::1 are the unspecified and loopback addresses themselves
        forms.append(ipaddress.IPv6Address(n))
    return forms


IPV6_SHAPES = ["2000::/3", "::/0", "2002::/16", "64:ff9b::/96", "::ffff:0:0/96", "::/96"]


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_an_ipv4_carrying_address_is_judged_and_connected_as_its_ipv4_address(
    value: int,
) -> None:
    v4 = ipaddress.IPv4Address(value)
    public = classify(v4) is AddressClass.PUBLIC
    ipv6_only = NetPolicy.parse(IPV6_SHAPES)
    ipv4_entry = NetPolicy.parse([f"{v4}/32"])
    for form in _carrying_forms(v4):
        assert classify(form) is classify(v4)
        # no IPv6 entry admits it: only what would admit the IPv4 address does
        assert (ipv6_only.refusal("h", form) is None) is public, form
        assert ipv4_entry.refusal("h", form) is None
        # and the connection goes to the IPv4 address, never to the IPv6 form
        assert ipv4_entry.screen("h", [form]).permitted == (v4,)
        refused = ipv6_only.screen("h", [form])
        assert refused.permitted == ((v4,) if public else ())


def test_refusing_a_carried_address_names_the_entry_that_would_admit_it() -> None:
    why = NetPolicy.parse(["::/0"]).refusal("h", ip("::ffff:a9fe:a9fe"))
    assert why == (
        "::ffff:a9fe:a9fe is link-local (it stands for 169.254.169.254) "
        "(cloud metadata service); allow 169.254.169.254 in reconciler.yaml network.allow"
    )
