"""Fixed-window counters in the shared cache (Redis), so limits hold across processes."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

# Overridable per deployment (and per test) without touching code.
SESSION_STARTS_PER_MINUTE = 20
MESSAGES_PER_WINDOW = 10
MESSAGE_WINDOW_SECONDS = 10
UPLOADS_PER_MINUTE = 20


def session_start_key(ip: str) -> str:
    return f"livechat:rate:session:{ip}"


def message_key(token_hash: str) -> str:
    # Keyed by the session's token digest, not its row id: ids repeat across test
    # databases and restores, digests do not.
    return f"livechat:rate:message:{token_hash}"


def upload_key(token_hash: str) -> str:
    return f"livechat:rate:upload:{token_hash}"


def allow(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit; False once `limit` hits fall in the current window."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        hits = cache.incr(key)
    except ValueError:
        # The window expired between add and incr: this hit starts a new one.
        cache.add(key, 1, timeout=window_seconds)
        hits = 1
    return hits <= limit


def session_starts_per_minute() -> int:
    return getattr(settings, "LIVECHAT_SESSION_STARTS_PER_MINUTE", SESSION_STARTS_PER_MINUTE)


def messages_per_window() -> int:
    return getattr(settings, "LIVECHAT_MESSAGES_PER_WINDOW", MESSAGES_PER_WINDOW)


def uploads_per_minute() -> int:
    return getattr(settings, "LIVECHAT_UPLOADS_PER_MINUTE", UPLOADS_PER_MINUTE)
