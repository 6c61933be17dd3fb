"""pytest plugin (loaded with -p, before Django's settings): each test process's own
var directory and Redis.

Every pytest process (each pytest-xdist worker too) gets a var directory of its own
under the system's temporary directory (CHATDESK_VAR_DIR: the SQLite test database,
media, the beat schedule), removed when it exits: a run leaves nothing in the
checkout's var/, and workers never share files.

With REDIS_URL unset, the process runs against its own embedded Redis on a private
socket, started here and stopped when pytest exits; settings derive `unix://<socket>`
from EMBEDDED_REDIS_SOCKET. With REDIS_URL set (CI's PostgreSQL + Redis leg) each
xdist worker takes the next database number, so workers never see each other's
channel groups, cache keys or tasks.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

_WORKDIR: Path | None = None


def worker_index() -> int:
    """0 outside pytest-xdist; N for its worker gwN."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") else 0


def redis_url_for_worker(url: str, index: int) -> str:
    """`url` with its database number moved up by `index` (redis://host:port/N)."""
    if not index:
        return url
    match = re.match(r"^(rediss?://[^/]*)(?:/(\d*))?(\?.*)?$", url)
    if not match:
        return url
    base, db, query = match.groups()
    return f"{base}/{int(db or 0) + index}{query or ''}"


def _start() -> None:
    global _WORKDIR
    if _WORKDIR is not None:
        return
    # Short path: a unix socket path may not exceed ~107 bytes.
    _WORKDIR = Path(tempfile.mkdtemp(prefix="chatdesk-test-"))
    atexit.register(shutil.rmtree, _WORKDIR, ignore_errors=True)
    # Before anything imports chatdesk.env, which reads it once.
    os.environ["CHATDESK_VAR_DIR"] = str(_WORKDIR / "var")

    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = redis_url_for_worker(os.environ["REDIS_URL"], worker_index())
        return

    # Imported only now: it imports chatdesk.env, which reads CHATDESK_VAR_DIR once.
    from devtools.embedded_redis import EmbeddedRedis

    os.environ["EMBEDDED_REDIS_SOCKET"] = str(_WORKDIR / "redis.sock")
    server = EmbeddedRedis(_WORKDIR / "redis.sock", _WORKDIR).start()
    os.environ["CHATDESK_TEST_EMBEDDED_REDIS_PID"] = str(server.pid)
    # Registered after the rmtree, so run before it: the server stops, then its files go.
    atexit.register(server.stop)


_start()
