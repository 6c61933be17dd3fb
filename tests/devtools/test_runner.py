"""`make run`'s runner on a fresh var/: serves the app, Ctrl-C leaves no process behind and
no traceback, and a port already in use is said so before anything starts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import psutil
import pytest

from chatdesk.env import BASE_DIR
from devtools.processes import free_port

pytestmark = pytest.mark.slow


def _wait_for(url: str, deadline: float) -> httpx.Response:
    while time.monotonic() < deadline:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in time")


def _runner(tmp_path, port: int) -> subprocess.Popen[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "EMBEDDED_REDIS_SOCKET"}
    }
    env.update({"CHATDESK_VAR_DIR": str(tmp_path), "PORT": str(port)})
    # A session of its own, as a terminal's: Ctrl-C there is SIGINT to the whole group.
    return subprocess.Popen(
        [sys.executable, "-m", "devtools.runner"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _ctrl_c(runner: subprocess.Popen[str]) -> None:
    os.killpg(runner.pid, signal.SIGINT)


def test_runner_serves_and_stops_everything(tmp_path):
    port = free_port()
    runner = _runner(tmp_path, port)
    try:
        deadline = time.monotonic() + 90
        assert _wait_for(f"http://127.0.0.1:{port}/healthz", deadline).status_code == 200
        assert "Sign in" in _wait_for(f"http://127.0.0.1:{port}/login/", deadline).text
        ready = _wait_for(f"http://127.0.0.1:{port}/readyz", deadline)
        assert ready.json() == {"status": "ok", "database": "ok", "redis": "ok"}
        family = psutil.Process(runner.pid).children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in family)
        for part in ("daphne", "worker", "beat", "redis-server", "devtools.emulator"):
            assert part in names
        _ctrl_c(runner)
        output, _ = runner.communicate(timeout=40)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert runner.returncode == 0, output
    assert "Traceback" not in output, output
    assert output.rstrip().endswith("Stopped."), output
    assert f"http://127.0.0.1:{port}/" in output
    assert "alice" in output and "chatdesk-demo" in output
    _gone, alive = psutil.wait_procs(family, timeout=10)
    assert alive == [], f"left behind: {[p.pid for p in alive]}"
    assert (tmp_path / "chatdesk.sqlite3").exists()


def test_ctrl_c_while_migrating_stops_without_a_traceback(tmp_path):
    runner = _runner(tmp_path, free_port())
    try:
        first = runner.stdout.readline()
        assert first.startswith("Embedded Redis on "), first
        _ctrl_c(runner)  # migrate on a fresh database has just begun
        output, _ = runner.communicate(timeout=40)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert runner.returncode == 0, output
    assert "Traceback" not in output, output
    assert "is running" not in output
    assert output.rstrip().endswith("Stopped."), output


def test_a_port_in_use_is_named_before_anything_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        runner = _runner(tmp_path, port)
        output, _ = runner.communicate(timeout=30)
    assert runner.returncode == 2, output
    assert output.startswith(f"Port {port} on 127.0.0.1 is already in use"), output
    assert f"PORT={port + 1} make run" in output
    assert "is running" not in output and "Embedded Redis" not in output
    assert not (tmp_path / "chatdesk.sqlite3").exists()
