"""Who may read ``/healthz``, ``/readyz`` and ``/metrics`` on the webhook listener.

``METRICS_ALLOW`` is a comma-separated list of addresses or networks (CIDR); empty allows nobody.
The address checked is the TCP peer's only: headers such as ``X-Forwarded-For`` are never
believed, since anyone can send them. Behind a reverse proxy every request comes from the proxy's
address, so the proxy must not pass these paths on from outside (forward only the webhook path).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: This machine only.
DEFAULT_ALLOW: Final = "127.0.0.0/8,::1"


@dataclass(frozen=True)
class AllowList:
    networks: tuple[IPNetwork, ...]

    def allows(self, remote: str | None) -> bool:
        """Whether the peer address ``remote`` (aiohttp's ``request.remote``) is in the list."""
        if not remote:
            return False
        try:
            address = ipaddress.ip_address(remote.split("%", 1)[0])  # no IPv6 zone
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # an IPv4 client of a dual-stack listener
        return any(address in network for network in self.networks)


def parse_allow(value: str) -> AllowList:
    """The list in ``value``; ValueError naming the first entry that is no address or network."""
    networks: list[IPNetwork] = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(entry) from None
    return AllowList(tuple(networks))
