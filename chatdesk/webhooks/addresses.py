"""Which receiver URLs a webhook may be sent to.

A subscription's URL is checked when it is saved and again before every attempt: a
host that resolved to a public address yesterday may resolve to 127.0.0.1 or the
cloud's metadata address today (DNS rebinding), and the desk must not be made to post
into its own network.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


def url_refusal(url: str) -> str | None:
    """Why `url` may not receive webhooks, or None if it may."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "The URL is not valid."
    if parts.scheme not in ("https", "http"):
        return "The URL must start with https:// or http://."
    host = parts.hostname
    if not host:
        return "The URL has no host."
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return None
    try:
        found = socket.getaddrinfo(
            host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (OSError, UnicodeError):
        return f"The host {host} could not be resolved."
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if not _public(address):
            return (
                f"{host} resolves to {address}, a private, loopback or link-local address;"
                " webhooks go to public addresses only."
            )
    return None


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not address.is_multicast
