"""The stack under test: its own temp dir, Redis, database, daphne, Celery worker, emulator.

Everything it starts is a child that the kernel stops if the bench dies
(PR_SET_PDEATHSIG), and `stop()` terminates them in order, so a Ctrl-C or a
crash leaves no process, socket or throwaway database behind.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from chatdesk.embedded_redis import EmbeddedRedis, _die_with_parent
from chatdesk.env import BASE_DIR

PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin_psql(url: str, sql: str) -> None:
    """Run one statement against the server's `postgres` database (autocommit)."""
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


class Stack:
    """Owns the processes and the temp dir of one bench run."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="chatdesk-bench-"))
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.redis: EmbeddedRedis | None = None
        self.pg_url: str | None = None
        self.env: dict[str, str] = {}
        self.base_url = ""
        self.emulator_url = ""

    def prepare_env(self) -> dict[str, str]:
        """Choose Redis and the database; return the env every process of the run shares."""
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            self.redis = EmbeddedRedis(self.tmp / "redis.sock", self.tmp).start()
            redis_url = self.redis.url
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url.startswith("postgres"):
            # A throwaway database on the same server, so a run never touches real data.
            name = f"chatdesk_bench_{os.getpid()}"
            _admin_psql(database_url, f"CREATE DATABASE {name}")
            parts = urlsplit(database_url)
            self.pg_url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
            database_url = self.pg_url
        else:
            database_url = f"sqlite:///{self.tmp / 'bench.sqlite3'}"
        self.env = {
            "DJANGO_SETTINGS_MODULE": "chatdesk.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CHATDESK_VAR_DIR": str(self.tmp),
            "CHATDESK_BENCH_BASELINES": "1",
            # Production settings: DEBUG off (no query log growing in memory), plain HTTP.
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
        }
        os.environ.update(self.env)
        return self.env

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it
        proc = subprocess.Popen(
            argv,
            cwd=BASE_DIR,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        log.close()
        self.children.append((name, proc))

    def migrate(self) -> None:
        subprocess.run(
            [PYTHON, str(BASE_DIR / "manage.py"), "migrate", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env={**os.environ, **self.env},
            check=True,
        )

    def start(self) -> str:
        """Start the emulator, daphne and one Celery worker; wait until daphne answers."""
        emulator_port = free_port()
        # The real emulator plus a latency knob and a send log (bench/emulator.py).
        self._spawn("emulator", [PYTHON, "-m", "bench.emulator", "--port", str(emulator_port)])
        emu = f"http://127.0.0.1:{emulator_port}"
        self.emulator_url = emu
        self.env.update(
            WHATSAPP_GRAPH_URL=f"{emu}/whatsapp/v25.0",
            MESSENGER_GRAPH_URL=f"{emu}/messenger/v25.0",
            TWILIO_API_URL=f"{emu}/twilio",
        )
        self.base_url = self.start_daphne("daphne")
        self._spawn(
            "worker",
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "chatdesk",
                "worker",
                "--loglevel",
                "WARNING",
                "--concurrency",
                "2",
                # Baseline (d)'s bare task, in the same worker as the real delivery task.
                "--include",
                "bench.baselines.tasks",
            ],
        )
        return self.base_url

    def start_daphne(self, name: str) -> str:
        """One more daphne on the same database and Redis (scenarios 3 and 7); its base URL."""
        port = free_port()
        self._spawn(
            name,
            [
                PYTHON,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "chatdesk.asgi:application",
            ],
        )
        url = f"http://127.0.0.1:{port}"
        self._wait_healthy(url)
        return url

    def stop_child(self, name: str) -> None:
        """Stop one named child (a scenario's own daphne) and forget it."""
        for child, proc in list(self.children):
            if child == name:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                self.children.remove((child, proc))

    def _wait_healthy(self, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"daphne at {url} did not answer in {timeout:.0f} s; see {self.tmp}")

    def check_alive(self) -> None:
        for name, proc in self.children:
            if proc.poll() is not None:
                log = (self.tmp / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited with code {proc.returncode}:\n{log}")

    def pid(self, name: str) -> int:
        return next(proc.pid for child, proc in self.children if child == name)

    def stop(self) -> None:
        for _, proc in reversed(self.children):
            if proc.poll() is None:
                proc.terminate()
        for _, proc in reversed(self.children):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.children.clear()
        if self.redis:
            self.redis.stop()
        if self.pg_url:
            self._drop_database()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _drop_database(self) -> None:
        from django.db import connections

        connections.close_all()
        name = urlsplit(self.pg_url or "").path.lstrip("/")
        _admin_psql(self.pg_url or "", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.pg_url = None
