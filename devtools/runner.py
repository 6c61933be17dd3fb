"""`make run` (`python -m devtools.runner`): one foreground command for the whole stack.

Starts the embedded Redis (when REDIS_URL is unset; the children get its URL in
REDIS_URL), migrates, seeds the demo, then runs the loopback provider emulator (when
no provider URL is set), daphne, a Celery worker and Celery beat as children. Ctrl-C (or
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
import sys
import time

from chatdesk.env import BASE_DIR, VAR_DIR, embedded_redis_socket
from devtools.embedded_redis import EmbeddedRedis
from devtools.processes import PYTHON, Child, celery, first_dead, free_port, stop_all


class Stopped(Exception):
    """Ctrl-C or SIGTERM arrived while a setup step ran."""


class SetupFailed(Exception):
    """A setup step (migrate, seed) failed; its own output said why."""


def _spawn(name: str, argv: list[str]) -> Child:
    """A child writing to our terminal, in its own process group (see above)."""
    return Child(name, argv, own_group=True).start()


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


PROVIDER_URLS = ("WHATSAPP_GRAPH_URL", "MESSENGER_GRAPH_URL", "TWILIO_API_URL")


def _start_emulator() -> Child | None:
    """With no provider URL configured, replies go to the loopback emulator, not to Meta
    or Twilio: the demo's outbound messages get real ids and statuses without an account."""
    if any(os.environ.get(name) for name in PROVIDER_URLS):
        return None
    port = free_port()
    child = _spawn("emulator", [PYTHON, "-m", "devtools.emulator", "--port", str(port)])
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
    children: list[Child] = []
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    def manage(*args: str) -> None:
        child = _spawn(args[0], [PYTHON, str(BASE_DIR / "manage.py"), *args])
        while child.alive:
            if stopping:
                child.stop()
                raise Stopped
            time.sleep(0.1)
        if child.returncode != 0:
            raise SetupFailed(f"`manage.py {' '.join(args)}` exited with code {child.returncode}")

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    redis = None
    try:
        if not os.environ.get("REDIS_URL"):
            try:
                redis = EmbeddedRedis(embedded_redis_socket(), VAR_DIR).start()
            except RuntimeError as error:
                raise SetupFailed(str(error)) from None
            # Named to every child, as a deployment names its Redis.
            os.environ["REDIS_URL"] = redis.url
            print(f"Embedded Redis on {redis.socket_path}", flush=True)
        manage("migrate", "--noinput", "-v", "0")
        manage("seed_demo")
        emulator = _start_emulator()
        children = [
            *([emulator] if emulator else []),
            _spawn(
                "web", [PYTHON, "-m", "daphne", "-b", host, "-p", port, "chatdesk.asgi:application"]
            ),
            _spawn("worker", celery("worker", "--loglevel", "INFO", "--concurrency", "2")),
            _spawn("beat", celery("beat", "--loglevel", "INFO")),
        ]
        # The banner only once daphne listens: a port taken meanwhile, or a web process
        # failing at start, is reported instead of a promise.
        while not _listening(host, int(port)):
            if stopping:
                return 0
            if dead := first_dead(children):
                print(
                    f"{dead.name} exited with code {dead.returncode} at start; stopping.",
                    flush=True,
                )
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
            if dead := first_dead(children):
                print(f"{dead.name} exited with code {dead.returncode}; stopping.", flush=True)
                return 1
            time.sleep(0.3)
        return 0
    except Stopped:
        return 0
    except SetupFailed as error:
        print(f"{error}; stopping.", file=sys.stderr, flush=True)
        return 1
    finally:
        stop_all(children)
        if redis:
            redis.stop()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
