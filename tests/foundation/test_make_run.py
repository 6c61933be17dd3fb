"""`make run`'s runner on a fresh var/: serves the app, and Ctrl-C leaves no process behind."""

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

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, deadline: float) -> httpx.Response:
    while time.monotonic() < deadline:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in time")


def test_runner_serves_and_stops_everything(tmp_path):
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "EMBEDDED_REDIS_SOCKET"}
    }
    env.update({"CHATDESK_VAR_DIR": str(tmp_path), "PORT": str(port)})
    runner = subprocess.Popen(
        [sys.executable, "-m", "chatdesk.runner"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        assert _wait_for(f"http://127.0.0.1:{port}/healthz", deadline).status_code == 200
        assert "Sign in" in _wait_for(f"http://127.0.0.1:{port}/login/", deadline).text
        ready = _wait_for(f"http://127.0.0.1:{port}/readyz", deadline)
        assert ready.json() == {"status": "ok", "database": "ok", "redis": "ok"}
        family = psutil.Process(runner.pid).children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in family)
        for part in ("daphne", "worker", "beat", "redis-server", "channels_ingest.emulator"):
            assert part in names
        runner.send_signal(signal.SIGINT)
        output, _ = runner.communicate(timeout=40)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert runner.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output
    assert "alice" in output and "chatdesk-demo" in output
    _gone, alive = psutil.wait_procs(family, timeout=10)
    assert alive == [], f"left behind: {[p.pid for p in alive]}"
    assert (tmp_path / "chatdesk.sqlite3").exists()
