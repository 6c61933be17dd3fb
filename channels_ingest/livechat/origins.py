"""Which web pages may talk to a live-chat site: its allowed origins, or our own host."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.http import HttpRequest

from channels_ingest.models import ChannelAccount


@dataclass(frozen=True, slots=True)
class Caller:
    """Where a public widget request came from: the page's origin, the host it asked,
    the visitor's address and browser."""

    origin: str
    own_host: str
    ip: str | None
    user_agent: str = ""

    @classmethod
    def of(cls, request: HttpRequest) -> Caller:
        return cls(
            origin=request.headers.get("Origin", ""),
            own_host=request.get_host(),
            ip=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.headers.get("User-Agent", ""),
        )


def _normalise(origin: str) -> str:
    parts = urlsplit(origin.strip().rstrip("/").lower())
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def origin_allowed(account: ChannelAccount, *, origin: str, own_host: str) -> bool:
    """True when the page at `origin` may embed this site's chat.

    An empty list allows every origin (a site still being set up). Our own host is
    always allowed, so the demo page works whatever port `make run` serves on.
    """
    allowed = {_normalise(item) for item in account.allowed_origins or []}
    if not allowed:
        return True
    origin = _normalise(origin)
    if not origin:
        return False
    return origin in allowed or (bool(own_host) and urlsplit(origin).netloc == own_host.lower())
