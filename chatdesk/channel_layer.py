"""Calling the channel layer from synchronous code, in whatever process runs it.

In a web process, `async_to_sync` hands the call to the server's own event loop. In a
Celery worker process there is no such loop, and `async_to_sync` starts a new one for
every call; channels_redis keeps its Redis connections per loop, so each event sent
from a worker paid a thread, a loop, a connection and its handshake, a large part of a
reply's delivery (docs/performance.md, scenario 5). A worker process therefore calls
`keep_event_loop()` once (chatdesk/celery.py): from then on its calls run on one
long-lived loop, whose connections stay open.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import async_to_sync

# Longer than any Redis call should take; a call still running then is abandoned, so a
# stuck Redis costs the caller an error it already handles, never a hung worker.
CALL_TIMEOUT_SECONDS = 30.0

_loop: asyncio.AbstractEventLoop | None = None


def keep_event_loop() -> None:
    """Run this process's channel-layer calls on one event loop thread from now on.

    Call it in the process that will use it (after a fork: threads do not survive one).
    """
    global _loop
    if _loop is not None and _loop.is_running():
        return
    loop = asyncio.new_event_loop()
    started = threading.Event()
    loop.call_soon(started.set)
    threading.Thread(target=loop.run_forever, name="channel-layer-loop", daemon=True).start()
    started.wait()
    _loop = loop


def call(func: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """`func(*args)` awaited from sync code: on the kept loop if there is one."""
    loop = _loop
    if loop is None:
        return async_to_sync(func)(*args)
    future = asyncio.run_coroutine_threadsafe(func(*args), loop)
    try:
        return future.result(timeout=CALL_TIMEOUT_SECONDS)
    except TimeoutError:
        future.cancel()
        raise
