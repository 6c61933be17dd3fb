"""Reading configuration from the environment, with the embedded defaults.

Kept free of Django imports so the dev runner (devtools/runner.py) can use it before
Django is set up.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CHATDESK_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def embedded_redis_socket() -> Path:
    """Where the embedded Redis of `make run` and the tests (devtools/embedded_redis.py)
    listens when REDIS_URL is unset."""
    return Path(os.environ.get("EMBEDDED_REDIS_SOCKET", VAR_DIR / "redis.sock"))


def redis_url() -> str:
    """The Redis URL for channels-redis and redis-py (unix:// for the embedded one)."""
    return os.environ.get("REDIS_URL") or f"unix://{embedded_redis_socket()}"


def celery_broker_url(url: str) -> str:
    """Kombu spells a unix socket `redis+socket://`; redis-py spells it `unix://`."""
    if url.startswith("unix://"):
        return "redis+socket://" + url.removeprefix("unix://")
    return url
