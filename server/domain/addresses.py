"""Which client addresses count as one for the abuse limits.

An IPv4 address is one subscriber (or one office, school or phone network
behind it). An IPv6 subscriber is given a whole /64 network (often a /56 or
more), and chooses addresses inside it at will: counting single IPv6
addresses would give one household an unlimited supply of fresh buckets.
So limits count an IPv6 client by its /64, and an IPv4 address written as
IPv6 (``::ffff:192.0.2.1``) as that IPv4 address. Pure: no I/O.
"""

from __future__ import annotations

import functools
from ipaddress import IPv6Address, ip_address, ip_network

#: The IPv6 prefix one subscriber is given at the least (RFC 6177, RIPE-690).
IPV6_PREFIX = 64


#: Addresses whose key is kept: a busy node sees the same clients again (a
#: few µs of parsing a submission otherwise), and a flood of new ones only
#: pushes the oldest out.
KEPT = 4096


@functools.lru_cache(maxsize=KEPT)
def limit_key(address: str) -> str:
    """What the limits count ``address`` as: the address, or its /64 for IPv6;
    anything that is no address (a unix socket's peer) stays as it is."""
    try:
        ip = ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ip_network(f"{ip}/{IPV6_PREFIX}", strict=False))
    return str(ip)
