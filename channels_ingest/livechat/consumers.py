"""The visitor's websocket: `/ws/livechat/?token=<session token>`."""

from __future__ import annotations

import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from channels_ingest.livechat import positions, push, selectors, services
from channels_ingest.livechat.errors import InvalidSession, LiveChatError, VisitorBlocked
from channels_ingest.livechat.origins import origin_allowed
from chatdesk.inbox.services.csat import VISITOR_EVENT as CSAT_REQUEST_EVENT
from chatdesk.inbox.services.csat import csat_awaited_by_visitor

UNAUTHENTICATED = 4401
FORBIDDEN_ORIGIN = 4403
PRESENCE_TOUCH_SECONDS = 20
TYPING_EVERY_SECONDS = 2


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


@database_sync_to_async
def _replay(session) -> list[dict]:
    return [
        push.message_payload(message, visitor_name=session.name, session_id=session.pk)
        for message in selectors.session_messages(session)
    ]


class VisitorConsumer(AsyncJsonWebsocketConsumer):
    """Joins `visitor.<session id>`; relays the visitor's messages in and the chat out."""

    session = None
    last_touch = 0.0
    last_typing = 0.0

    @classmethod
    async def decode_json(cls, text_data: str):
        # A malformed frame gets an error frame, not a crashed socket.
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def connect(self) -> None:
        token = parse_qs(self.scope.get("query_string", b"").decode()).get("token", [""])[0]
        self.ip = (self.scope.get("client") or [None])[0]
        try:
            session = await database_sync_to_async(services.visitor_session_authenticate)(
                token=token, ip=self.ip
            )
        except (InvalidSession, VisitorBlocked):
            await self.close(code=UNAUTHENTICATED)
            return
        # The site's own origin list, checked here as well as by the session endpoint.
        if not origin_allowed(
            session.account,
            origin=_header(self.scope, b"origin"),
            own_host=_header(self.scope, b"host"),
        ):
            await self.close(code=FORBIDDEN_ORIGIN)
            return
        self.session = session
        await self.channel_layer.group_add(push.visitor_group(session.pk), self.channel_name)
        await self.accept()
        await self._presence(+1)
        # Everything said to and by this visitor's session: a reload or reconnect loses nothing.
        for payload in await _replay(session):
            await self.send_json({"type": "message", "data": payload})
        # A chat waiting in line: where it stands now; later moves come as events.
        place = await database_sync_to_async(positions.current_place)(session)
        if place is not None:
            await self.send_json({"type": positions.EVENT, "data": place})
        # A rating asked for and not given yet: a reloaded widget shows its card again.
        if await database_sync_to_async(csat_awaited_by_visitor)(
            channel_account_id=session.account_id, visitor_id=session.visitor_id
        ):
            await self.send_json({"type": CSAT_REQUEST_EVENT, "data": {}})

    async def disconnect(self, code: int) -> None:
        if self.session is not None:
            await self.channel_layer.group_discard(
                push.visitor_group(self.session.pk), self.channel_name
            )
            await self._presence(-1)

    async def receive_json(self, content: dict, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            # One presence write per PRESENCE_TOUCH_SECONDS, however often a client pings.
            if time.monotonic() - self.last_touch > PRESENCE_TOUCH_SECONDS:
                await self._presence(0)
            await self.send_json({"type": "pong", "data": {}})
        elif kind == "message":
            await self._send_message(content)
        elif kind == "typing":
            # The socket's own throttle spares the database a chatty client; the
            # service's shared one holds across the visitor's tabs.
            if time.monotonic() - self.last_typing >= TYPING_EVERY_SECONDS:
                self.last_typing = time.monotonic()
                await database_sync_to_async(services.visitor_typing)(session_id=self.session.pk)
        else:
            await self._error("Unknown frame type.")

    async def _send_message(self, content: dict) -> None:
        body = content.get("body", "")  # may be left out when files are sent
        if not isinstance(body, str):
            await self._error("A message needs a text body.")
            return
        try:
            await database_sync_to_async(services.visitor_message_send)(
                session_id=self.session.pk,
                body=body,
                client_id=content.get("client_id"),
                ip=self.ip,
                attachment_ids=content.get("attachments"),
            )
        except (InvalidSession, VisitorBlocked) as refused:
            await self._error(refused.detail)
            await self.close(code=UNAUTHENTICATED)
        except LiveChatError as rejected:
            await self._error(rejected.detail)

    async def _error(self, detail: str) -> None:
        await self.send_json({"type": "error", "data": {"detail": detail}})

    async def _presence(self, change: int) -> None:
        self.last_touch = time.monotonic()
        await database_sync_to_async(services.visitor_socket_presence)(
            session_id=self.session.pk, change=change
        )

    async def visitor_message(self, event: dict) -> None:
        await self.send_json({"type": "message", "data": event["data"]})

    async def visitor_event(self, event: dict) -> None:
        await self.send_json({"type": event["event_type"], "data": event["data"]})

    async def visitor_ended(self, event: dict) -> None:
        await self.send_json({"type": "chat.ended", "data": {"body": event["body"]}})
        await self.close()
