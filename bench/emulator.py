"""The provider emulator as the bench runs it: the real one, plus latency and a send log.

`python -m bench.emulator --port N`. Two control routes on top of the emulator's own:
POST /_bench/latency {"seconds": 0.05} delays every send answer (a slow provider), and
GET /_bench/sends lists each send request as [time.monotonic(), provider, marker, status],
so scenario 5 can count deliveries per reply and measure a sender's rate at the receiver.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from urllib.parse import parse_qs, urlsplit

from devtools.emulator.answers import json_reply
from devtools.emulator.handler import Handler
from devtools.emulator.server import ProviderEmulator

_lock = threading.Lock()
_sends: list[tuple[float, str, str, int]] = []
_latency = [0.0]


def _marker(provider: str, body: bytes) -> str:
    """The reply's body text: the bench makes each one a unique marker."""
    try:
        if provider == "whatsapp":
            return json.loads(body)["text"]["body"]
        return parse_qs(body.decode()).get("Body", [""])[0]
    except (ValueError, KeyError, TypeError):
        return ""


class BenchHandler(Handler):
    def _dispatch(self, method: str) -> None:
        path = urlsplit(self.path).path
        if path == "/_bench/latency" and method == "POST":
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            _latency[0] = float(json.loads(body)["seconds"])
            self._send(204, b"", {})
            return
        if path == "/_bench/sends":
            with _lock:
                rows = list(_sends)
            if method == "POST":  # POST clears, so each measured run starts from zero
                with _lock:
                    _sends.clear()
            self._send(*json_reply(200, rows))
            return
        super()._dispatch(method)

    def _send_and_log(self, provider: str, name: str, args: dict, query: dict, body: bytes):
        if _latency[0]:
            time.sleep(_latency[0])  # a thread per request: other requests are not held up
        reply = getattr(Handler, name)(self, args, query, body)
        with _lock:
            _sends.append((time.monotonic(), provider, _marker(provider, body), reply[0]))
        return reply

    def whatsapp_send(self, args: dict, query: dict, body: bytes):
        return self._send_and_log("whatsapp", "whatsapp_send", args, query, body)

    def twilio_send(self, args: dict, query: dict, body: bytes):
        return self._send_and_log("twilio", "twilio_send", args, query, body)


def main() -> None:
    parser = argparse.ArgumentParser(description="The provider emulator with bench controls")
    parser.add_argument("--port", type=int, required=True)
    emulator = ProviderEmulator(port=parser.parse_args().port)
    emulator._server.RequestHandlerClass = BenchHandler
    # The recorded-request list would grow by every send of the run; the bench keeps its own.
    emulator._record = lambda *args, **kwargs: None  # type: ignore[method-assign]
    emulator.serve_forever()


if __name__ == "__main__":
    main()
