"""Which ``Host`` headers the preview answers.

A page on another site can make a browser send requests to the preview by
pointing a domain it controls at 127.0.0.1 (DNS rebinding) and then read the
answers, including the status endpoint with the build errors. Such a request
carries the attacker's domain in ``Host``, so, as webpack's and Vite's dev
servers do, only these names are answered: ``localhost`` (and ``*.localhost``,
which browsers resolve to loopback themselves), loopback addresses, the bound
address and the ``--host`` value. When bound to every interface (``--host
0.0.0.0``) any IP address is accepted too: the author opened the preview to
the network, and a rebinding attack needs a domain name, never an IP literal.
"""

from __future__ import annotations

import ipaddress

WILDCARDS = ("", "0.0.0.0", "::")


def host_name(header: str) -> str:
    """The name or address of a ``Host`` header, without port or brackets, lowercased."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    if value.count(":") == 1:
        value = value.partition(":")[0]
    return value.rstrip(".")


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


class HostPolicy:
    """Decides whether a request's ``Host`` names this preview server."""

    def __init__(self, host_option: str, bound_address: str) -> None:
        self.names = {host_name(host_option), host_name(bound_address)} - {""}
        self.any_ip = host_option in WILDCARDS or bound_address in WILDCARDS

    def allows(self, header: str | None) -> bool:
        """True for our own names; a request without ``Host`` (HTTP/1.0) is no browser's."""
        if header is None:
            return True
        name = host_name(header)
        if name == "localhost" or name.endswith(".localhost") or name in self.names:
            return True
        address = _ip(name)
        return address is not None and (address.is_loopback or self.any_ip)
