"""Child processes of the dev tools, the bench and the test stacks: start, wait, stop.

One place for how a child is started (its output in a log file or on our own terminal,
optionally in a process group of its own, told by the kernel to stop if we die), waited
for (until its health endpoint answers, failing as soon as a child dies at start) and
stopped (SIGTERM, then SIGKILL after a grace period), so that a Ctrl-C or a crash leaves
no process behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import httpx

from chatdesk.env import BASE_DIR

PYTHON = sys.executable


def celery(*args: str) -> list[str]:
    """The command line of a Celery process of this project (worker, beat) with `args`."""
    return [PYTHON, "-m", "celery", "-A", "chatdesk", *args]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def die_with_parent() -> None:
    """Linux (a Popen preexec_fn): the child gets SIGTERM if its parent dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except OSError:
        pass


class ChildDied(RuntimeError):
    """A child exited while it should have been running; the message ends with its log."""


class Child:
    """One named child process, restartable, its output in `log` (a path or an open
    binary file) or, without one, on this process's own stdout and stderr.

    own_group: in a process group of its own, so the terminal's Ctrl-C reaches only us
    and we stop it the quiet way. signal_group: signals go to that whole group (a Celery
    worker and its pool processes), as a crashed host or systemd would stop them.
    die_with_parent: told by the kernel to stop when we die; leave it off in a process
    running threads (the code run between fork and exec could deadlock on their locks).
    """

    def __init__(
        self,
        name: str,
        argv: list[str],
        *,
        env: dict[str, str] | None = None,
        log: Path | IO[bytes] | None = None,
        own_group: bool = False,
        signal_group: bool = False,
        die_with_parent: bool = True,
        pass_fds: tuple[int, ...] = (),
    ) -> None:
        self.name, self.argv, self.env, self.log_to = name, argv, env, log
        self.own_group = own_group or signal_group
        self.signal_group = signal_group
        self.die_with_parent = die_with_parent
        self.pass_fds = pass_fds
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Child:
        log = self.log_to.open("ab") if isinstance(self.log_to, Path) else self.log_to
        try:
            self.process = subprocess.Popen(
                self.argv,
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT if log is not None else None,
                preexec_fn=die_with_parent if self.die_with_parent else None,
                process_group=0 if self.own_group else None,
                pass_fds=self.pass_fds,
            )
        finally:
            if isinstance(self.log_to, Path) and log is not None:
                log.close()  # the child holds its own copy
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} was never started"
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def log(self) -> str:
        """What the child wrote to its log so far ("" when it writes to our terminal)."""
        if isinstance(self.log_to, Path):
            return self.log_to.read_text(errors="replace") if self.log_to.exists() else ""
        if self.log_to is not None:
            self.log_to.seek(0)
            return self.log_to.read().decode(errors="replace")
        return ""

    def check_alive(self) -> None:
        """Raise ChildDied (with the tail of its log) if the child has exited."""
        if self.process is not None and not self.alive:
            raise ChildDied(
                f"{self.name} exited with code {self.returncode}:\n{self.log()[-3000:]}"
            )

    def send_signal(self, sig: int) -> None:
        if not self.alive:
            return
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            if self.signal_group:
                os.killpg(self.process.pid, sig)
            else:
                self.process.send_signal(sig)

    def wait(self, timeout: float) -> bool:
        """Whether the child has exited (and was reaped) within `timeout` seconds."""
        if self.process is None:
            return True
        try:
            self.process.wait(timeout=max(0.1, timeout))
        except subprocess.TimeoutExpired:
            return False
        return True

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 10) -> None:
        """Send `sig`; SIGKILL if the child is still there `timeout` seconds later."""
        self.send_signal(sig)
        if not self.wait(timeout) and self.process is not None:
            self.kill_now()

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM, the quiet way; SIGKILL after `timeout` seconds."""
        self.kill(signal.SIGTERM, timeout)

    def kill_now(self) -> None:
        """SIGKILL (to the group with signal_group), then reap."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            if self.signal_group:
                os.killpg(self.process.pid, signal.SIGKILL)
            else:
                self.process.kill()
        self.process.wait(timeout=5)


def stop_all(children: Iterable[Child], timeout: float = 10) -> None:
    """SIGTERM to every child at once, then SIGKILL to those still there after `timeout`."""
    children = list(children)
    for child in children:
        child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        if not child.wait(deadline - time.monotonic()) and child.process is not None:
            child.kill_now()


def first_dead(children: Iterable[Child]) -> Child | None:
    """The first child that has exited, if any."""
    return next((child for child in children if child.process and not child.alive), None)


def wait_healthy(url: str, children: Iterable[Child] = (), timeout: float = 60) -> None:
    """Until `url`/healthz answers 200; ChildDied as soon as one of `children` exits."""
    children = list(children)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children:
            child.check_alive()
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer /healthz in {timeout:.0f} s")
