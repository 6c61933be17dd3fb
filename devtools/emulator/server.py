"""The emulator's server, state and Python control API."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from .answers import (
    CONTENT_TYPES,
    FAILURE_MODES,
    FIXTURES_DIR,
    GRAPH_VERSION,
    HOST_PREFIXES,
    MEDIA_FILES,
)
from .handler import Handler


@dataclass(frozen=True)
class RecordedRequest:
    provider: str  # whatsapp | messenger | twilio | cdn
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    # When it arrived (time.monotonic()): tests read retry spacing from it.
    at: float = field(default_factory=time.monotonic, compare=False)

    def json(self) -> dict:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode(), keep_blank_values=True)


@dataclass
class _Failure:
    mode: str
    times: int
    endpoint: str  # "send" or "media"
    retry_after: float
    delay: float = 0.0  # "slow": seconds before the request is accepted


@dataclass(frozen=True)
class Answer:
    """What the emulator answered a request; status 0: the client hung up first, so the
    request was abandoned unaccepted (a provider that never got the whole call)."""

    request: RecordedRequest
    status: int


@dataclass
class _State:
    requests: list[RecordedRequest] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    failures: dict[str, list[_Failure]] = field(default_factory=dict)
    expired_downloads: int = 0
    sends: dict[str, int] = field(default_factory=dict)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)


class ProviderEmulator:
    """A threaded HTTP server; use as a context manager or start()/stop()."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        fixtures_dir: Path = FIXTURES_DIR,
        cdn_host: str = "localhost",
        whatsapp_token: str = "test-whatsapp-token",
        messenger_token: str = "test-page-token",
        twilio_account_sid: str = "AC3f2b8c9d0e1a4b5c6d7e8f9a0b1c2d3e",
        twilio_auth_token: str = "test-auth-token",
        timeout_seconds: float = 5.0,
    ) -> None:
        self.fixtures_dir = Path(fixtures_dir)
        self.cdn_host = cdn_host  # another host name for the same server: a "CDN" origin
        self.whatsapp_token, self.messenger_token = whatsapp_token, messenger_token
        self.twilio_account_sid, self.twilio_auth_token = twilio_account_sid, twilio_auth_token
        self.timeout_seconds = timeout_seconds
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._state = _State()
        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._server.emulator = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    # Life cycle and URLs

    def start(self) -> ProviderEmulator:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in "timeout" mode
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (the command-line entry point)."""
        try:
            self._server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self._server.server_close()

    def __enter__(self) -> ProviderEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self._server.server_address[0]}:{self.port}"

    @property
    def whatsapp_graph_url(self) -> str:
        return f"{self.base_url}/whatsapp/{GRAPH_VERSION}"

    @property
    def messenger_graph_url(self) -> str:
        return f"{self.base_url}/messenger/{GRAPH_VERSION}"

    @property
    def twilio_api_url(self) -> str:
        return f"{self.base_url}/twilio"

    def rewrite(self, url: str) -> str:
        """A fixture's provider URL (lookaside, fbcdn, api.twilio.com) pointed at the emulator."""
        for real, prefix in HOST_PREFIXES.items():
            if url.startswith(real):
                return self.base_url + prefix + url[len(real) :]
        return url

    # Control

    def fail_next(
        self,
        provider: str,
        mode: str,
        *,
        times: int = 1,
        endpoint: str = "send",
        retry_after: float = 1.0,
        delay: float = 0.0,
    ) -> None:
        """Make the next `times` send (or media) requests of a provider fail in `mode`.

        "slow" is no failure: the request is accepted `delay` seconds late, unless the
        client hangs up meanwhile (a worker killed mid-request), which abandons it.
        """
        if mode not in FAILURE_MODES.get(provider, ()):
            raise ValueError(f"Unknown failure {mode!r} for {provider!r}")
        with self._lock:
            failure = _Failure(mode, times, endpoint, retry_after, delay)
            self._state.failures.setdefault(provider, []).append(failure)

    def expire_media_urls(self, times: int = 1) -> None:
        """The next `times` WhatsApp media downloads answer 404, as an expired URL does."""
        with self._lock:
            self._state.expired_downloads += times

    def add_media(self, key: str, data: bytes, content_type: str) -> None:
        with self._lock:
            self._state.media[key] = (data, content_type)

    def requests(self, provider: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self._state.requests if provider in (None, r.provider)]

    def answers(self, provider: str | None = None) -> list[Answer]:
        """Every answered (or abandoned) request with its status, in answering order."""
        with self._lock:
            return [a for a in self._state.answers if provider in (None, a.request.provider)]

    def reset(self) -> None:
        with self._lock:
            self._state = _State()

    # Used by the handler

    def _record(
        self,
        provider: str,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> RecordedRequest:
        request = RecordedRequest(provider, method, path, query, headers, body)
        with self._lock:
            self._state.requests.append(request)
        return request

    def _record_answer(self, request: RecordedRequest, status: int) -> None:
        with self._lock:
            self._state.answers.append(Answer(request, status))

    def _take_failure(self, provider: str, endpoint: str) -> _Failure | None:
        with self._lock:
            for failure in self._state.failures.get(provider, []):
                if failure.endpoint == endpoint and failure.times > 0:
                    failure.times -= 1
                    return failure
        return None

    def _take_expiry(self) -> bool:
        with self._lock:
            expired = self._state.expired_downloads > 0
            self._state.expired_downloads -= int(expired)
            return expired

    def _next_send_number(self, provider: str) -> int:
        with self._lock:
            number = self._state.sends.get(provider, 0)
            self._state.sends[provider] = number + 1
            return number

    def _fixture(self, name: str) -> dict:
        return json.loads((self.fixtures_dir / name).read_text())

    def _media(self, key: str) -> tuple[bytes, str]:
        """Known fixture media by id or file extension; any other id gets placeholder bytes."""
        with self._lock:
            if key in self._state.media:
                return self._state.media[key]
        name = MEDIA_FILES.get(key) or next(
            (f"sample{ext}" for ext in CONTENT_TYPES if key.endswith(ext)), None
        )
        if name is None:
            return f"emulated media {key}".encode(), "application/octet-stream"
        return (self.fixtures_dir / "media" / name).read_bytes(), CONTENT_TYPES[Path(name).suffix]
