"""A webhook receiver on a loopback port, written the way an integrator would write one."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret: str, body: bytes, signature_header: str) -> bool:
    # The integrator's check, as docs/api.md shows it.
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature_header)


@dataclass
class Received:
    event_id: str
    signature: str
    body: bytes
    verified: bool
    status: int
    at: float

    @property
    def event(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """Records every POST; answers from `script` (status codes, or ("sleep", seconds,
    status)), then 200 once it runs out."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.script: list = []
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    step = receiver.script.pop(0) if receiver.script else 200
                sleep, status = (step[1], step[2]) if isinstance(step, tuple) else (0, step)
                if sleep:
                    time.sleep(sleep)
                signature = self.headers.get("X-Chatdesk-Signature", "")
                with receiver._lock:
                    receiver.requests.append(
                        Received(
                            event_id=self.headers.get("X-Chatdesk-Event-Id", ""),
                            signature=signature,
                            body=body,
                            verified=verify(receiver.secret, body, signature),
                            status=status,
                            at=time.monotonic(),
                        )
                    )
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the sender gave up waiting (a timeout test)
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(self, count: int, timeout: float = 15) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
