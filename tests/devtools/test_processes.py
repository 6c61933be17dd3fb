"""The one child-process helper of the runner, the bench and the test stacks: a child's
log, its death noticed at start, and stopping that leaves nothing behind."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from devtools.processes import (
    PYTHON,
    Child,
    ChildDied,
    first_dead,
    free_port,
    stop_all,
    wait_healthy,
)


def _python(code: str) -> list[str]:
    return [PYTHON, "-c", code]


def _wait_for_line(path: Path, text: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while text not in (path.read_text() if path.exists() else ""):
        assert time.monotonic() < deadline, f"{text!r} never appeared in {path}"
        time.sleep(0.05)


def test_a_child_writes_its_log_and_a_death_says_why(tmp_path):
    code = "print('about to fail', flush=True); raise SystemExit(3)"
    child = Child("crash", _python(code), log=tmp_path / "crash.log").start()
    assert child.wait(10)
    assert first_dead([child]) is child
    with pytest.raises(ChildDied, match=r"crash exited with code 3:\nabout to fail"):
        child.check_alive()


def test_stop_all_terminates_and_kills_one_that_ignores_sigterm(tmp_path):
    stubborn_log = tmp_path / "stubborn.log"
    stubborn = Child(
        "stubborn",
        _python(
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(60)"
        ),
        log=stubborn_log,
    ).start()
    polite = Child("polite", _python("import time; time.sleep(60)")).start()
    _wait_for_line(stubborn_log, "ready")
    started = time.monotonic()
    stop_all([stubborn, polite], timeout=1)
    assert time.monotonic() - started < 8
    assert polite.returncode == -signal.SIGTERM
    assert stubborn.returncode == -signal.SIGKILL
    assert first_dead([stubborn, polite]) is stubborn


def test_a_group_signal_reaches_the_childs_own_children(tmp_path):
    log = tmp_path / "parent.log"
    code = (
        "import subprocess, sys, time; "
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        "print(p.pid, flush=True); time.sleep(60)"
    )
    parent = Child("parent", _python(code), log=log, signal_group=True).start()
    _wait_for_line(log, "\n")
    grandchild = psutil.Process(int(log.read_text().split()[0]))
    parent.kill()
    assert not parent.alive
    grandchild.wait(timeout=10)  # killed with its group, not orphaned


def test_wait_healthy_fails_as_soon_as_a_child_dies(tmp_path):
    dead = Child("web", _python("raise SystemExit(1)"), log=tmp_path / "web.log").start()
    started = time.monotonic()
    with pytest.raises(ChildDied, match="web exited with code 1"):
        wait_healthy(f"http://127.0.0.1:{free_port()}", [dead], timeout=30)
    assert time.monotonic() - started < 10


def test_wait_healthy_returns_once_healthz_answers(tmp_path):
    port = free_port()
    server = (
        "import http.server\n"
        "class H(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        self.send_response(200 if self.path == '/healthz' else 404)\n"
        "        self.end_headers()\n"
        f"http.server.HTTPServer(('127.0.0.1', {port}), H).serve_forever()\n"
    )
    web = Child("web", [sys.executable, "-c", server], log=tmp_path / "web.log").start()
    try:
        wait_healthy(f"http://127.0.0.1:{port}", [web], timeout=30)
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    finally:
        web.stop()
    assert not web.alive
