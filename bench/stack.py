"""The stack under test: its own temp dir, Redis, database, daphne, Celery worker, emulator.

Everything it starts is a child that the kernel stops if the bench dies
(PR_SET_PDEATHSIG), and `stop()` terminates them in order, so a Ctrl-C or a
crash leaves no process, socket or throwaway database behind.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from django.db import connections

from chatdesk.env import BASE_DIR
from devtools.embedded_redis import EmbeddedRedis
from devtools.processes import PYTHON, Child, celery, free_port, stop_all, wait_healthy

# The product's settings plus the baselines' routes (bench/settings.py): the product's
# own URL and websocket routing know nothing of the bench.
SETTINGS = "bench.settings"
ASGI_APPLICATION = "bench.asgi:application"


def web_processes() -> int:
    """Daphne processes serving the main port (BENCH_WEB_PROCESSES, default 1).

    One process runs Python on one core (the GIL), so production runs about one per
    core behind a proxy (docs/operations.md). With more than one, they share
    one listening socket and the kernel hands each new connection to one of them, as
    a proxy would; subject and baselines go through the same set-up either way.
    """
    count = int(os.environ.get("BENCH_WEB_PROCESSES", "1") or "1")
    if count < 1:
        raise SystemExit("BENCH_WEB_PROCESSES must be 1 or more")
    return count


def _admin_psql(url: str, sql: str) -> None:
    """Run one statement against the server's `postgres` database (autocommit)."""
    parts = urlsplit(url)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


class Stack:
    """Owns the processes and the temp dir of one bench run."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="chatdesk-bench-"))
        self.children: list[Child] = []
        self.redis: EmbeddedRedis | None = None
        self.pg_url: str | None = None
        self.env: dict[str, str] = {}
        self.base_url = ""
        self.emulator_url = ""
        self.listener: socket.socket | None = None

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
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CHATDESK_VAR_DIR": str(self.tmp),
            # Production settings: DEBUG off (no query log growing in memory), plain HTTP.
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
        }
        os.environ.update(self.env)
        return self.env

    def _spawn(self, name: str, argv: list[str], pass_fds: tuple[int, ...] = ()) -> None:
        env = {**os.environ, **self.env}
        log = self.tmp / f"{name}.log"
        self.children.append(Child(name, argv, env=env, log=log, pass_fds=pass_fds).start())

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
        processes = web_processes()
        if processes == 1:
            self.base_url = self.start_daphne("daphne")
        else:
            self.base_url = self._start_web_pool(processes)
        self._spawn("worker", celery("worker", "--loglevel", "WARNING", "--concurrency", "2"))
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
                ASGI_APPLICATION,
            ],
        )
        url = f"http://127.0.0.1:{port}"
        self._wait_healthy(url)
        return url

    def _start_web_pool(self, processes: int) -> str:
        """`processes` daphnes accepting on one shared listening socket (named daphne,
        daphne-2, ...); the base URL once every one of them answers."""
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(4096)
        listener.set_inheritable(True)
        self.listener = listener
        fd = listener.fileno()
        names = ["daphne"] + [f"daphne-{n}" for n in range(2, processes + 1)]
        for name in names:
            argv = [PYTHON, "-m", "daphne", "--fd", str(fd), ASGI_APPLICATION]
            self._spawn(name, argv, pass_fds=(fd,))
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        self._wait_healthy(url)
        for name in names:
            self._wait_listening(name, fd)
        return url

    def _wait_listening(self, name: str, fd: int, timeout: float = 60) -> None:
        # Any one process answers /healthz on a shared socket. A process takes its share
        # of connections once its event loop polls the socket: Linux lists the fds an
        # epoll instance watches in /proc/<pid>/fdinfo (the child keeps the fd number).
        pid = self.pid(name)
        watched = re.compile(rf"^tfd:\s+{fd}\s", re.MULTILINE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            for entry in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    if os.readlink(entry) != "anon_inode:[eventpoll]":
                        continue
                    if watched.search(Path(f"/proc/{pid}/fdinfo/{entry.name}").read_text()):
                        return
                except OSError:
                    continue  # closed while we looked
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not start listening in {timeout:.0f} s; see {self.tmp}")

    def web_pids(self) -> list[int]:
        """The main port's daphne processes."""
        return [
            child.pid
            for child in self.children
            if child.name == "daphne"
            or (child.name.startswith("daphne-") and child.name[7:].isdigit())
        ]

    def stop_child(self, name: str) -> None:
        """Stop one named child (a scenario's own daphne) and forget it."""
        for child in list(self.children):
            if child.name == name:
                child.stop()
                self.children.remove(child)

    def _wait_healthy(self, url: str, timeout: float = 60) -> None:
        try:
            wait_healthy(url, self.children, timeout)
        except TimeoutError:
            raise RuntimeError(
                f"daphne at {url} did not answer in {timeout:.0f} s; see {self.tmp}"
            ) from None

    def check_alive(self) -> None:
        for child in self.children:
            child.check_alive()

    def pid(self, name: str) -> int:
        return next(child.pid for child in self.children if child.name == name)

    def stop(self) -> None:
        stop_all(reversed(self.children))
        self.children.clear()
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        if self.redis:
            self.redis.stop()
        if self.pg_url:
            self._drop_database()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _drop_database(self) -> None:
        connections.close_all()
        name = urlsplit(self.pg_url or "").path.lstrip("/")
        _admin_psql(self.pg_url or "", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.pg_url = None
