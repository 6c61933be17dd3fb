"""A production-shaped stack in child processes, for the reliability tests.

Two daphne processes, two Celery workers and one beat, all on the test database
and on a Redis of their own (a `redis-server` this module starts on a free TCP
port, so a test may stop and restart it without touching anyone else's Redis).
Replies go to a loopback provider emulator running in the test process.

Every child gets its own process group (devtools/processes.py), so a "kill" takes a
worker's prefork children with it, as a crashed host or systemd's KillMode=control-group
would.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import socket
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import websockets
from django.conf import settings
from twilio.request_validator import RequestValidator

from devtools.embedded_redis import redis_server_binary
from devtools.emulator import ProviderEmulator
from devtools.processes import Child, free_port
from tests.channels_ingest.support import APP_SECRET, PHONE_NUMBER_ID, TWILIO_TOKEN

# Short timings so the faults play out in seconds; each is a documented setting
# (docs/operations.md) with a production default of minutes.
FAST_TIMINGS = {
    "OUTBOX_SWEEP_SECONDS": "1",
    "OUTBOX_PENDING_AGE_SECONDS": "2",
    "OFFER_SWEEP_SECONDS": "1",
    "PROVIDER_TIMEOUT_SECONDS": "2",
    "DELIVERY_CLAIM_TIMEOUT_SECONDS": "6",
    "DELIVERY_MAX_ATTEMPTS": "4",
}


def wait_until(check: Callable[[], object], *, timeout: float, what: str, every: float = 0.1):
    """Poll `check` until it returns something truthy; that value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def child(name: str, argv: list[str], env: dict[str, str], logdir: Path) -> Child:
    """One child process, its output in a log file, in a process group of its own: a
    kill() reaches a worker's pool processes too. No parent-death signal: the emulator's
    threads are running and code run between fork and exec could deadlock on their locks."""
    log = logdir / f"{name}.log"
    return Child(name, argv, env=env, log=log, signal_group=True, die_with_parent=False)


class RedisServer(Child):
    """A private redis-server without persistence: a restart loses what it held."""

    def __init__(self, logdir: Path) -> None:
        self.port = free_port()
        argv = [
            redis_server_binary(),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(logdir),
        ]
        super().__init__(
            "redis",
            argv,
            env=dict(os.environ),
            log=logdir / "redis.log",
            signal_group=True,
            die_with_parent=False,
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> RedisServer:
        super().start()
        wait_until(self.answers, timeout=10, what="redis-server to answer")
        return self


class Stack:
    """web[0], web[1] (daphne), workers[0], workers[1] (celery worker), beat, redis."""

    def __init__(self, *, database_url: str, emulator: ProviderEmulator, workdir: Path) -> None:
        self.workdir = workdir
        self.logdir = workdir / "logs"
        self.logdir.mkdir(parents=True, exist_ok=True)
        self.redis = RedisServer(self.logdir)
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": self.redis.url,
            # One var dir for every process: media files and the beat schedule live there.
            "CHATDESK_VAR_DIR": str(workdir / "var"),
            # Production settings: DEBUG off, so a 500 is Django's plain page.
            "SECRET_KEY": "reliability-" + "k" * 40,
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "WHATSAPP_GRAPH_URL": emulator.whatsapp_graph_url,
            "MESSENGER_GRAPH_URL": emulator.messenger_graph_url,
            "TWILIO_API_URL": emulator.twilio_api_url,
            "PYTHONUNBUFFERED": "1",
            **FAST_TIMINGS,
        }
        self.env.pop("EMBEDDED_REDIS_SOCKET", None)
        self.web_ports = [free_port(), free_port()]
        self.web = [
            child(f"web{i}", self._daphne_argv(port), self.env, self.logdir)
            for i, port in enumerate(self.web_ports)
        ]
        self.workers = [
            child(f"worker{i}", self._worker_argv(i), self.env, self.logdir) for i in range(2)
        ]
        self.beat = child("beat", self._beat_argv(), self.env, self.logdir)

    # argv

    @staticmethod
    def _daphne_argv(port: int) -> list[str]:
        daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
        return [*daphne, "chatdesk.asgi:application"]

    @staticmethod
    def _worker_argv(index: int) -> list[str]:
        # One pool process each: two workers are then two independent consumers,
        # as two hosts would be. Mingle/gossip only slow the start here.
        celery = [sys.executable, "-m", "celery", "-A", "chatdesk", "worker"]
        return [
            *celery,
            "--loglevel=INFO",
            "--concurrency=1",
            f"--hostname=worker{index}@%h",
            "--without-mingle",
            "--without-gossip",
        ]

    @staticmethod
    def _beat_argv() -> list[str]:
        return [sys.executable, "-m", "celery", "-A", "chatdesk", "beat", "--loglevel=INFO"]

    # URLs and requests

    def url(self, server: int) -> str:
        return f"http://127.0.0.1:{self.web_ports[server]}"

    def ws_url(self, server: int, token: str) -> str:
        return f"ws://127.0.0.1:{self.web_ports[server]}/ws/agent/?token={token}"

    # Life cycle

    def start(self) -> Stack:
        self.redis.start()
        for process in [*self.web, *self.workers, self.beat]:
            process.start()
        with ThreadPoolExecutor(5) as pool:
            waits = [pool.submit(self.wait_web_ready, i) for i in range(2)]
            waits += [pool.submit(self.wait_worker_ready, i) for i in range(2)]
            for wait in waits:
                wait.result()
        return self

    def stop(self) -> None:
        for process in [self.beat, *self.workers, *self.web, self.redis]:
            process.stop()

    def wait_web_ready(self, server: int) -> None:
        def healthy() -> bool:
            if not self.web[server].alive:
                raise RuntimeError(f"daphne {server} died:\n{self.web[server].log()[-3000:]}")
            try:
                return httpx.get(f"{self.url(server)}/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(healthy, timeout=60, what=f"daphne {server}", every=0.2)

    def wait_worker_ready(self, index: int, *, since: int = 0) -> None:
        """Until the worker logs "ready" (after byte `since` of its log)."""
        worker = self.workers[index]

        def ready() -> bool:
            if not worker.alive:
                raise RuntimeError(f"worker {index} died:\n{worker.log()[-3000:]}")
            return " ready." in worker.log()[since:]

        wait_until(ready, timeout=60, what=f"celery worker {index}", every=0.2)

    def restart_worker(self, index: int) -> None:
        since = len(self.workers[index].log())
        self.workers[index].start()
        self.wait_worker_ready(index, since=since)

    def ensure_running(self) -> None:
        """Bring back whatever a previous test left stopped."""
        if not self.redis.alive:
            self.redis.start()
        for index, worker in enumerate(self.workers):
            if not worker.alive:
                self.restart_worker(index)
        for server, web in enumerate(self.web):
            if not web.alive:
                web.start()
                self.wait_web_ready(server)
        if not self.beat.alive:
            self.beat.start()

    def logs(self) -> str:
        parts = []
        for process in [*self.web, *self.workers, self.beat]:
            parts.append(f"===== {process.name} =====\n{process.log()[-4000:]}")
        return "\n".join(parts)


# Signed provider webhooks, as WhatsApp and Twilio send them.


def whatsapp_body(
    *, wamid: str, sender: str, text: str, name: str = "Customer", image: bool = False
) -> bytes:
    """A WhatsApp Cloud API webhook for our test number, timestamped now (the 24-hour
    reply window counts from the customer's message): a text, or with `image` the
    fixtures' photo (media id 1266798744318251, served by the emulator) captioned `text`."""
    content: dict = {"type": "text", "text": {"body": text}}
    if image:
        content = {
            "type": "image",
            "image": {
                "caption": text,
                "mime_type": "image/jpeg",
                "sha256": "6276c6eb684a8a59882ba1d770f11037a7a15e71300344b0357444b69e58d2b2",
                "id": "1266798744318251",
            },
        }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "109283746501928",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550109876",
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            "contacts": [{"profile": {"name": name}, "wa_id": sender}],
                            "messages": [
                                {
                                    "from": sender,
                                    "id": wamid,
                                    "timestamp": str(int(time.time())),
                                    **content,
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(payload).encode()


def post_whatsapp(base: str, body: bytes, *, timeout: float = 15) -> httpx.Response:
    digest = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return httpx.post(
        f"{base}/webhooks/whatsapp/",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"},
        timeout=timeout,
    )


def post_twilio_sms(
    base: str, *, sid: str, sender: str, to: str, text: str, account_sid: str
) -> httpx.Response:
    """An inbound SMS, signed over the URL daphne sees (no PUBLIC_BASE_URL here)."""
    url = f"{base}/webhooks/twilio/sms/"
    params = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": account_sid,
        "From": sender,
        "To": to,
        "Body": text,
        "NumMedia": "0",
        "ApiVersion": "2010-04-01",
    }
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    return httpx.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=15)


def _on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


# Several processes writing one database at once is PostgreSQL's job; on SQLite the
# file lock would serialise them and the races would prove nothing (CI's second leg).
needs_postgres = pytest.mark.skipif(
    not _on_postgresql(),
    reason="reliability tests run real concurrent processes: PostgreSQL only "
    "(set DATABASE_URL=postgres://...; CI's PostgreSQL + Redis leg runs them)",
)


class AgentSocket:
    """An agent's websocket as the inbox app uses it: session.ready first, events after,
    and on a drop a reconnect that replays from the last event id it saw."""

    def __init__(self, stack: Stack, server: int, token: str) -> None:
        self.stack, self.server, self.token = stack, server, token
        self.socket: websockets.ClientConnection | None = None
        self.last_event_id = 0
        self.events: list[dict] = []  # every event seen, live or replayed, by id once

    async def connect(self, *, timeout: float = 10) -> AgentSocket:
        base = self.stack.url(self.server)
        self.socket = await websockets.connect(
            self.stack.ws_url(self.server, self.token), origin=base, open_timeout=timeout
        )
        ready = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
        assert ready["type"] == "session.ready", ready
        if not self.last_event_id:
            self.last_event_id = ready["data"]["last_event_id"]
        return self

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    def _note(self, event: dict) -> None:
        if all(seen["id"] != event["id"] for seen in self.events):
            self.events.append(event)
        self.last_event_id = max(self.last_event_id, event["id"])

    async def next(self, wanted: str, *, timeout: float = 15, where=None) -> dict:
        """The next live event of type `wanted` (matching `where`), others noted."""

        async def read() -> dict:
            assert self.socket is not None
            while True:
                frame = json.loads(await self.socket.recv())
                if "id" in frame:
                    self._note(frame)
                if frame["type"] == wanted and (where is None or where(frame)):
                    return frame

        return await asyncio.wait_for(read(), timeout)

    async def replay(self) -> list[dict]:
        """GET /api/v1/events/?after=<last seen>, every page; the events returned."""
        replayed: list[dict] = []
        async with httpx.AsyncClient(base_url=self.stack.url(self.server)) as client:
            while True:
                response = await client.get(
                    "/api/v1/events/",
                    params={"after": self.last_event_id},
                    headers={"Authorization": f"Token {self.token}"},
                )
                assert response.status_code == 200, response.text
                page = response.json()
                for event in page["results"]:
                    self._note(event)
                    replayed.append(event)
                if not page["has_more"]:
                    return replayed
