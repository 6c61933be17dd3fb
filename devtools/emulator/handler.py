"""HTTP routes of the emulator: the three providers' send and media endpoints, and control."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import select
import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from .answers import (
    GRAPH_5XX,
    GRAPH_BAD_TOKEN,
    TWILIO_5XX,
    TWILIO_429,
    TWILIO_AUTH,
    WHATSAPP_131047,
    Reply,
    graph_invalid,
    json_reply,
    whatsapp_problem,
)

if TYPE_CHECKING:
    from .server import ProviderEmulator, RecordedRequest

PROVIDER_BY_SEGMENT = {
    "whatsapp": "whatsapp",
    "lookaside": "whatsapp",
    "messenger": "messenger",
    "fbcdn": "messenger",
    "twilio": "twilio",
    "cdn": "cdn",
}
ROUTES = [
    ("POST", r"/whatsapp/v[\d.]+/(?P<sender>[^/]+)/messages", "whatsapp_send"),
    ("GET", r"/whatsapp/v[\d.]+/(?P<media_id>[^/]+)", "whatsapp_lookup"),
    ("GET", r"/lookaside/whatsapp_business/attachments/", "whatsapp_download"),
    ("POST", r"/messenger/v[\d.]+/me/messages", "messenger_send"),
    ("GET", r"/fbcdn/.*/(?P<name>[^/]+)", "messenger_download"),
    ("POST", r"/twilio/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json", "twilio_send"),
    (
        "GET",
        r"/twilio/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages/[^/]+/Media/(?P<key>[^/.]+)",
        "twilio_media",
    ),
    ("GET", r"/cdn/(?P<key>[^/]+)", "cdn_download"),
    ("GET", r"/_emulator/requests", "control_requests"),
    ("POST", r"/_emulator/(?P<action>fail|expire-media|reset)", "control"),
]
COMPILED_ROUTES = [(method, re.compile(pattern), name) for method, pattern, name in ROUTES]


class ClientGone(Exception):
    """The client closed its connection before the request was accepted."""


class Handler(BaseHTTPRequestHandler):
    server_version = "ChatdeskProviderEmulator/1"
    protocol_version = "HTTP/1.1"
    # An answer goes out in two writes (headers, then body). With Nagle's algorithm on,
    # the body waited for the client's delayed ACK of the headers on every request on a
    # kept-alive connection, a floor under every delivery a test or the bench measured
    # (docs/performance.md). Real providers do not stall like that.
    disable_nagle_algorithm = True

    @property
    def emulator(self) -> ProviderEmulator:
        return self.server.emulator  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:
        pass  # tests read the recorded requests instead of a log

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        query = parse_qs(split.query, keep_blank_values=True)
        provider = PROVIDER_BY_SEGMENT.get(split.path.strip("/").split("/")[0])
        recorded = None
        if provider:
            headers = dict(self.headers.items())
            recorded = self.emulator._record(provider, method, split.path, query, headers, body)
        reply = json_reply(404, {"error": {"message": f"No route for {method} {split.path}"}})
        for route_method, pattern, name in COMPILED_ROUTES:
            match = pattern.fullmatch(split.path)
            if match and route_method == method:
                try:
                    reply = getattr(self, name)(match.groupdict(), query, body)
                except ClientGone:
                    if recorded is not None:
                        self.emulator._record_answer(recorded, 0)
                    self.close_connection = True
                    return
                except (ValueError, KeyError, AttributeError, TypeError) as exc:
                    # A body the real API would refuse too: say so instead of hanging up.
                    reply = json_reply(400, {"error": {"message": f"Malformed request: {exc!r}"}})
                break
        if recorded is not None:
            self.emulator._record_answer(recorded, reply[0])
        self._send(*reply)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        try:
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first, as it should in "timeout" mode.
            self.close_connection = True

    # Auth and failures

    def _bearer_ok(self, token: str) -> bool:
        return self.headers.get("Authorization", "") == f"Bearer {token}"

    def _twilio_auth_ok(self, sid: str) -> bool:
        emu = self.emulator
        expected = base64.b64encode(f"{emu.twilio_account_sid}:{emu.twilio_auth_token}".encode())
        given = self.headers.get("Authorization", "")
        return sid == emu.twilio_account_sid and given == f"Basic {expected.decode()}"

    def _failure(self, provider: str, endpoint: str) -> Reply | None:
        failure = self.emulator._take_failure(provider, endpoint)
        if failure is None:
            return None
        if failure.mode == "slow":
            self._hold(failure.delay)
            return None  # accepted late: answered as usual
        if failure.mode == "timeout":
            self.emulator._stopping.wait(self.emulator.timeout_seconds)
            return json_reply(504, {"message": "emulated timeout"})
        if failure.mode == "500":
            return json_reply(500, TWILIO_5XX if provider == "twilio" else GRAPH_5XX)
        if failure.mode == "429":
            return json_reply(429, TWILIO_429, {"Retry-After": f"{failure.retry_after:g}"})
        body = {
            "130429": lambda: self.emulator._fixture("whatsapp_send_error_130429.json"),
            "131047": lambda: WHATSAPP_131047,
            "2018278": lambda: self.emulator._fixture("messenger_send_error_window.json"),
            "21610": lambda: self.emulator._fixture("twilio_send_error_21610.json"),
        }[failure.mode]()
        return json_reply(400, body)

    def _hold(self, seconds: float) -> None:
        """Wait `seconds`, raising ClientGone as soon as the client hangs up."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0 and not self.emulator._stopping.is_set():
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
            if readable:
                try:
                    gone = self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    gone = True
                if gone:
                    raise ClientGone()
                time.sleep(min(left, 0.05))  # pipelined bytes, not a hang-up: keep waiting

    def _send_id(self, provider: str, fixture_id: str, pattern: str) -> str:
        """The fixtures' outbound id first (status fixtures refer to it), then fresh ones."""
        number = self.emulator._next_send_number(provider)
        return fixture_id if number == 0 else pattern.format(number)

    # WhatsApp

    def whatsapp_send(self, args: dict, query: dict, body: bytes) -> Reply:
        if not self._bearer_ok(self.emulator.whatsapp_token):
            return json_reply(401, GRAPH_BAD_TOKEN)
        failure = self._failure("whatsapp", "send")
        if failure:
            return failure
        payload = json.loads(body or b"{}")
        problem = whatsapp_problem(payload)
        if problem:
            return graph_invalid(problem)
        answer = self.emulator._fixture("whatsapp_send_response.json")
        answer["contacts"] = [{"input": payload["to"], "wa_id": payload["to"].lstrip("+")}]
        fixture_id = answer["messages"][0]["id"]
        answer["messages"] = [{"id": self._send_id("whatsapp", fixture_id, "wamid.EMU{:020d}")}]
        return json_reply(200, answer)

    def whatsapp_lookup(self, args: dict, query: dict, body: bytes) -> Reply:
        if not self._bearer_ok(self.emulator.whatsapp_token):
            return json_reply(401, GRAPH_BAD_TOKEN)
        failure = self._failure("whatsapp", "media")
        if failure:
            return failure
        media_id = args["media_id"]
        data, content_type = self.emulator._media(media_id)
        answer = self.emulator._fixture("whatsapp_media_url_response.json")
        url = f"{self.emulator.base_url}/lookaside/whatsapp_business/attachments/"
        answer.update(
            url=f"{url}?mid={media_id}&ext=1778594920&hash=ATtEXAMPLE",
            mime_type=content_type,
            sha256=hashlib.sha256(data).hexdigest(),
            file_size=len(data),
            id=media_id,
        )
        return json_reply(200, answer)

    def whatsapp_download(self, args: dict, query: dict, body: bytes) -> Reply:
        if not self._bearer_ok(self.emulator.whatsapp_token):
            return json_reply(401, GRAPH_BAD_TOKEN)
        if self.emulator._take_expiry():
            return json_reply(404, {"error": {"message": "URL expired"}})
        data, content_type = self.emulator._media(query.get("mid", [""])[0])
        return 200, data, {"Content-Type": content_type}

    # Messenger

    def messenger_send(self, args: dict, query: dict, body: bytes) -> Reply:
        if query.get("access_token") != [self.emulator.messenger_token]:
            return json_reply(401, GRAPH_BAD_TOKEN)
        failure = self._failure("messenger", "send")
        if failure:
            return failure
        payload = json.loads(body or b"{}")
        message = payload.get("message") or {}
        if not (payload.get("recipient") or {}).get("id") or not payload.get("messaging_type"):
            return graph_invalid("recipient.id and messaging_type are required")
        if payload["messaging_type"] == "MESSAGE_TAG" and not payload.get("tag"):
            return graph_invalid("a MESSAGE_TAG message needs a tag")
        if ("text" in message) == ("attachment" in message):
            return graph_invalid("message needs exactly one of text or attachment")
        answer = self.emulator._fixture("messenger_send_response.json")
        answer["recipient_id"] = payload["recipient"]["id"]
        answer["message_id"] = self._send_id("messenger", answer["message_id"], "m_EMU{:020d}")
        return json_reply(200, answer)

    def messenger_download(self, args: dict, query: dict, body: bytes) -> Reply:
        failure = self._failure("messenger", "media")
        if failure:
            return failure
        data, content_type = self.emulator._media(args["name"])
        return 200, data, {"Content-Type": content_type}

    # Twilio

    def twilio_send(self, args: dict, query: dict, body: bytes) -> Reply:
        if not self._twilio_auth_ok(args["sid"]):
            return json_reply(401, TWILIO_AUTH)
        failure = self._failure("twilio", "send")
        if failure:
            return failure
        form = parse_qs(body.decode(), keep_blank_values=True)
        if not form.get("To") or not (form.get("From") or form.get("MessagingServiceSid")):
            return json_reply(400, {"code": 21604, "message": "'To' and 'From' are required"})
        if not form.get("Body") and not form.get("MediaUrl"):
            return json_reply(400, {"code": 21602, "message": "Message body is required."})
        answer = copy.deepcopy(self.emulator._fixture("twilio_send_response.json"))
        sid = self._send_id("twilio", answer["sid"], "SM{:032x}")
        answer.update(
            sid=sid,
            to=form["To"][0],
            body=form.get("Body", [""])[0],
            num_media=str(len(form.get("MediaUrl", []))),
            uri=answer["uri"].replace(answer["sid"], sid),
        )
        answer["from"] = form.get("From", [None])[0]
        answer["messaging_service_sid"] = form.get("MessagingServiceSid", [None])[0]
        return json_reply(201, answer)

    def twilio_media(self, args: dict, query: dict, body: bytes) -> Reply:
        if not self._twilio_auth_ok(args["sid"]):
            return json_reply(401, TWILIO_AUTH)
        failure = self._failure("twilio", "media")
        if failure:
            return failure
        # Twilio answers with a redirect to short-lived storage on another host.
        location = f"http://{self.emulator.cdn_host}:{self.emulator.port}/cdn/{args['key']}"
        return 307, b"", {"Location": location}

    def cdn_download(self, args: dict, query: dict, body: bytes) -> Reply:
        if "Authorization" in self.headers:
            # As S3 does for a presigned URL: a second auth mechanism is refused.
            return json_reply(400, {"message": "Only one auth mechanism allowed"})
        data, content_type = self.emulator._media(args["key"])
        return 200, data, {"Content-Type": content_type}

    # Control API

    def control_requests(self, args: dict, query: dict, body: bytes) -> Reply:
        provider = query.get("provider", [None])[0]
        return json_reply(200, [_as_json(r) for r in self.emulator.requests(provider)])

    def control(self, args: dict, query: dict, body: bytes) -> Reply:
        options = json.loads(body or b"{}")
        try:
            if args["action"] == "fail":
                provider, mode = options.pop("provider", ""), options.pop("mode", "")
                self.emulator.fail_next(provider, str(mode), **options)
            elif args["action"] == "expire-media":
                self.emulator.expire_media_urls(int(options.get("times", 1)))
            else:
                self.emulator.reset()
        except (TypeError, ValueError) as exc:
            return json_reply(400, {"detail": str(exc)})
        return 204, b"", {}


def _as_json(request: RecordedRequest) -> dict:
    return {
        "provider": request.provider,
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "headers": request.headers,
        "body": request.body.decode(errors="replace"),
    }
