"""pytest plugin (loaded with -p, before Django's settings): the embedded Redis.

With REDIS_URL unset, the suite runs against its own embedded Redis on a
private socket, started here and stopped when pytest exits; settings derive
`unix://<socket>` from EMBEDDED_REDIS_SOCKET. With REDIS_URL set (CI's
PostgreSQL + Redis leg) it does nothing.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from chatdesk.embedded_redis import EmbeddedRedis

_server: EmbeddedRedis | None = None


def _start() -> None:
    global _server
    if os.environ.get("REDIS_URL") or _server is not None:
        return
    # Short path: a unix socket path may not exceed ~107 bytes.
    workdir = Path(tempfile.mkdtemp(prefix="chatdesk-test-"))
    os.environ["EMBEDDED_REDIS_SOCKET"] = str(workdir / "redis.sock")
    _server = EmbeddedRedis(workdir / "redis.sock", workdir).start()
    os.environ["CHATDESK_TEST_EMBEDDED_REDIS_PID"] = str(_server.process.pid)

    def _stop() -> None:
        _server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    atexit.register(_stop)


_start()
