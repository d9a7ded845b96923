"""server/domain/addresses.py: what the abuse limits count a client as."""

from __future__ import annotations

import pytest

from server.domain.addresses import limit_key


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2:0:0:0:9", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::1", "::/64"),
        ("unknown", "unknown"),
    ],
)
def test_ipv6_clients_count_by_their_64(address: str, counted_as: str) -> None:
    """An IPv6 address counts as its /64; IPv4 (plain or mapped) as itself."""
    assert limit_key(address) == counted_as


def test_neighbouring_64s_are_apart() -> None:
    """Two /64s of one /48 are two clients."""
    assert limit_key("2001:db8:1:2::1") != limit_key("2001:db8:1:3::1")
