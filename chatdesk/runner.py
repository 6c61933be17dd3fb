"""`make run`: one foreground command for the whole stack.

Starts the embedded Redis (when REDIS_URL is unset), migrates, seeds the demo,
then runs daphne, a Celery worker and Celery beat as children. Ctrl-C (or
SIGTERM, or any child dying) stops them all; every child is also told by the
kernel to stop if this process dies, so none is left behind.

Children run in process groups of their own, so the terminal's Ctrl-C reaches this
process only: it stops each child with SIGTERM, the quiet way, instead of every
child printing its own interrupted traceback.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from chatdesk.embedded_redis import EmbeddedRedis, _die_with_parent
from chatdesk.env import BASE_DIR, VAR_DIR, embedded_redis_socket, uses_embedded_redis

PYTHON = sys.executable


class Stopped(Exception):
    """Ctrl-C or SIGTERM arrived while a setup step ran."""


class SetupFailed(Exception):
    """A setup step (migrate, seed) failed; its own output said why."""


def _spawn(name: str, argv: list[str]) -> tuple[str, subprocess.Popen[bytes]]:
    return name, subprocess.Popen(argv, cwd=BASE_DIR, preexec_fn=_die_with_parent, process_group=0)


def _port_in_use(host: str, port: int) -> bool:
    """Whether daphne would fail to listen on host:port (it sets SO_REUSEADDR too)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return False  # daphne will say what is wrong with HOST
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError:
            return True
    return False


def _listening(host: str, port: int) -> bool:
    target = "127.0.0.1" if host in {"", "0.0.0.0"} else "::1" if host == "::" else host
    try:
        with socket.create_connection((target, port), timeout=0.5):
            return True
    except OSError:
        return False


def _stop_all(children: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
    for _, proc in children:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for _, proc in children:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


PROVIDER_URLS = ("WHATSAPP_GRAPH_URL", "MESSENGER_GRAPH_URL", "TWILIO_API_URL")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_emulator() -> tuple[str, subprocess.Popen[bytes]] | None:
    """With no provider URL configured, replies go to the loopback emulator, not to Meta
    or Twilio: the demo's outbound messages get real ids and statuses without an account."""
    if any(os.environ.get(name) for name in PROVIDER_URLS):
        return None
    port = _free_port()
    child = _spawn("emulator", [PYTHON, "-m", "channels_ingest.emulator", "--port", str(port)])
    base = f"http://127.0.0.1:{port}"
    os.environ["WHATSAPP_GRAPH_URL"] = f"{base}/whatsapp/v25.0"
    os.environ["MESSENGER_GRAPH_URL"] = f"{base}/messenger/v25.0"
    os.environ["TWILIO_API_URL"] = f"{base}/twilio"
    print(f"Provider emulator on {base} (set {', '.join(PROVIDER_URLS)} for real ones)", flush=True)
    return child


def main() -> int:
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    if not port.isdigit() or not 0 < int(port) < 65536:
        print(f"PORT={port!r} is not a port number (1-65535).", file=sys.stderr, flush=True)
        return 2
    if _port_in_use(host, int(port)):
        print(
            f"Port {port} on {host} is already in use (another `make run`?). Stop what "
            f"listens there, or choose another port: PORT={int(port) + 1} make run",
            file=sys.stderr,
            flush=True,
        )
        return 2
    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    def manage(*args: str) -> None:
        _, proc = _spawn(args[0], [PYTHON, str(BASE_DIR / "manage.py"), *args])
        while proc.poll() is None:
            if stopping:
                _stop_all([(args[0], proc)])
                raise Stopped
            time.sleep(0.1)
        if proc.returncode != 0:
            raise SetupFailed(f"`manage.py {' '.join(args)}` exited with code {proc.returncode}")

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    redis = None
    try:
        if uses_embedded_redis():
            try:
                redis = EmbeddedRedis(embedded_redis_socket(), VAR_DIR).start()
            except RuntimeError as error:
                raise SetupFailed(str(error)) from None
            print(f"Embedded Redis on {redis.socket_path}", flush=True)
        manage("migrate", "--noinput", "-v", "0")
        manage("seed_demo")
        emulator = _start_emulator()
        children = [
            *([emulator] if emulator else []),
            _spawn(
                "web", [PYTHON, "-m", "daphne", "-b", host, "-p", port, "chatdesk.asgi:application"]
            ),
            _spawn(
                "worker",
                [
                    PYTHON,
                    "-m",
                    "celery",
                    "-A",
                    "chatdesk",
                    "worker",
                    "--loglevel",
                    "INFO",
                    "--concurrency",
                    "2",
                ],
            ),
            _spawn(
                "beat", [PYTHON, "-m", "celery", "-A", "chatdesk", "beat", "--loglevel", "INFO"]
            ),
        ]
        # The banner only once daphne listens: a port taken meanwhile, or a web process
        # failing at start, is reported instead of a promise.
        while not _listening(host, int(port)):
            if stopping:
                return 0
            dead = [(name, proc) for name, proc in children if proc.poll() is not None]
            if dead:
                name, proc = dead[0]
                print(f"{name} exited with code {proc.returncode} at start; stopping.", flush=True)
                return 1
            time.sleep(0.2)
        print(
            f"\nChatdesk is running: http://{host}:{port}/  (Ctrl-C stops everything)\n"
            "Demo logins (password: chatdesk-demo):\n"
            "  owner  (system owner)   manager (manager)\n"
            "  alice  (agent, ext 101)  bob (agent, ext 102)  carol (agent, ext 103)\n"
            "Admin: /admin/   API docs: /api/docs/\n",
            flush=True,
        )
        while not stopping:
            dead = [(name, proc) for name, proc in children if proc.poll() is not None]
            if dead:
                name, proc = dead[0]
                print(f"{name} exited with code {proc.returncode}; stopping.", flush=True)
                return 1
            time.sleep(0.3)
        return 0
    except Stopped:
        return 0
    except SetupFailed as error:
        print(f"{error}; stopping.", file=sys.stderr, flush=True)
        return 1
    finally:
        _stop_all(children)
        if redis:
            redis.stop()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
