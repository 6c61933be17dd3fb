"""Live-chat use cases: a visitor starts or resumes a session, writes, and is ended."""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.db.models.functions import Greatest
from django.utils import timezone

from channels_ingest.livechat import limits, push, selectors
from channels_ingest.livechat.errors import (
    InvalidSession,
    MessageRejected,
    OriginNotAllowed,
    RateLimited,
    UnknownSite,
    VisitorBlocked,
)
from channels_ingest.livechat.models import VisitorSession, VisitorUpload, token_digest
from channels_ingest.livechat.origins import Caller, origin_allowed
from channels_ingest.models import ChannelAccount
from chatdesk.inbox.models import Attachment, Conversation, Message
from chatdesk.inbox.services import csat as csat_services
from chatdesk.inbox.services import visitor as visitor_services
from chatdesk.inbox.services.attachments import attachment_store
from chatdesk.inbox.services.delivery import message_attach_uploads
from chatdesk.inbox.services.receive import Inbound, message_receive

logger = logging.getLogger(__name__)

MAX_BODY_CHARS = 4000
MAX_FILES_PER_MESSAGE = 10


def admit_site(rate_key: str, *, site_key: str, caller: Caller) -> ChannelAccount:
    """The live-chat site a public request from `caller` may use, counted against the
    address's per-minute allowance (`rate_key`); RateLimited, UnknownSite or
    OriginNotAllowed otherwise."""
    if not limits.allow(rate_key, limit=limits.session_starts_per_minute(), window_seconds=60):
        raise RateLimited()
    account = selectors.active_site(site_key)
    if account is None:
        raise UnknownSite()
    if not origin_allowed(account, origin=caller.origin, own_host=caller.own_host):
        raise OriginNotAllowed()
    return account


@dataclass(frozen=True)
class SessionStart:
    session: VisitorSession
    token: str
    created: bool
    conversation_id: int | None


@transaction.atomic
def visitor_session_start(
    *,
    site_key: str,
    caller: Caller,
    name: str = "",
    email: str = "",
    session_token: str = "",
    page_url: str = "",
    page_title: str = "",
    referrer: str = "",
) -> SessionStart:
    """Start a session for a visitor, or resume theirs so a page reload keeps the chat.

    The conversation opens with the first message (message_receive), so a visitor
    who only opens the widget leaves nothing in the agents' inbox. A resumed token
    whose chat an agent ended starts a new session for the same visitor.
    """
    ip, user_agent = caller.ip, caller.user_agent
    account = admit_site(
        limits.session_start_key(ip or "unknown"), site_key=site_key, caller=caller
    )
    previous = (
        VisitorSession.objects.select_for_update()
        .filter(account=account, token_hash=token_digest(session_token))
        .first()
        if session_token
        else None
    )
    visitor_id = previous.visitor_id if previous else f"visitor-{uuid.uuid4().hex}"
    if selectors.visitor_blocked(visitor_id=visitor_id, ip=ip):
        raise VisitorBlocked()
    where = _page(page_url=page_url, page_title=page_title, referrer=referrer)
    if previous is not None and previous.is_live:
        previous.last_seen_at = timezone.now()
        _visitor_moved(previous, where=where, user_agent=user_agent)
        return SessionStart(
            previous, session_token, False, selectors.open_conversation_id(previous)
        )
    token = secrets.token_urlsafe(32)
    session = VisitorSession.objects.create(
        account=account,
        token_hash=token_digest(token),
        visitor_id=visitor_id,
        name=(name or (previous.name if previous else "")).strip()[:200],
        email=(email or (previous.email if previous else "")).strip(),
        ip=ip,
        user_agent=user_agent[:500],
        **where,
    )
    return SessionStart(session, token, True, selectors.open_conversation_id(session))


def _page(*, page_url: str, page_title: str, referrer: str) -> dict:
    # The widget reports these; cut to the columns' sizes rather than refused, as a
    # long URL is no reason to deny a visitor their chat.
    return {
        "page_url": page_url.strip()[:2000],
        "page_title": page_title.strip()[:300],
        "referrer": referrer.strip()[:2000],
    }


def visitor_context(session: VisitorSession) -> dict:
    """What agents see of a visitor: who they said they are, where they are, their browser."""
    return visitor_services.visitor_context(
        name=session.name,
        email=session.email,
        page_url=session.page_url,
        page_title=session.page_title,
        referrer=session.referrer,
        user_agent=session.user_agent,
    )


def _visitor_moved(session: VisitorSession, *, where: dict, user_agent: str) -> None:
    """A resumed session on a (maybe) new page: remember it, and update the open chat.
    A resume that reports no page (an older widget) keeps the last one known. The
    referrer stays the one the visitor arrived with: the next page's referrer is
    only the site's own previous page, and how they found the site is what helps."""
    if where["page_url"]:
        session.page_url, session.page_title = where["page_url"], where["page_title"]
        session.referrer = session.referrer or where["referrer"]
    if user_agent:
        session.user_agent = user_agent[:500]
    session.save(update_fields=["last_seen_at", "user_agent", *where])
    conversation_id = selectors.open_conversation_id(session)
    if conversation_id is not None:
        visitor_services.conversation_visitor_update(
            conversation_id=conversation_id, visitor=visitor_context(session)
        )


def visitor_typing(*, session_id: int) -> bool:
    """The visitor is typing: the agents who see their open chat are told (throttled)."""
    session = VisitorSession.objects.filter(pk=session_id, ended_at__isnull=True).first()
    conversation_id = selectors.open_conversation_id(session) if session else None
    if conversation_id is None:
        return False
    return visitor_services.conversation_customer_typing(conversation_id=conversation_id)


def visitor_session_authenticate(*, token: str, ip: str | None) -> VisitorSession:
    """The live session a socket's token stands for; refused when ended or blocked."""
    session = (
        VisitorSession.objects.select_related("account")
        .filter(token_hash=token_digest(token), ended_at__isnull=True, account__active=True)
        .first()
        if token
        else None
    )
    if session is None:
        raise InvalidSession()
    if selectors.visitor_blocked(visitor_id=session.visitor_id, ip=ip):
        raise VisitorBlocked()
    return session


def visitor_socket_presence(*, session_id: int, change: int) -> None:
    """+1 when a socket opens, -1 when it closes, 0 for a ping: keeps presence current."""
    VisitorSession.objects.filter(pk=session_id).update(
        open_sockets=Greatest(F("open_sockets") + change, 0), last_seen_at=timezone.now()
    )


@transaction.atomic
def visitor_message_send(
    *,
    session_id: int,
    body: str,
    client_id: str | None = None,
    ip: str | None = None,
    attachment_ids: list[int] | None = None,
) -> Message:
    """Store a visitor's message in their chat (routed like any channel) and echo it
    to their sockets after commit. The same `client_id` again is stored once.

    `attachment_ids` are this session's own unsent uploads; any other id refuses
    the whole message, so nothing is sent half.
    """
    body = (body or "").strip()
    attachment_ids = _attachment_ids(attachment_ids)
    if not body and not attachment_ids:
        raise MessageRejected("Write a message first.")
    if len(body) > MAX_BODY_CHARS:
        raise MessageRejected(f"Messages are limited to {MAX_BODY_CHARS} characters.")
    session = _live_session(session_id, ip=ip)
    if not limits.allow(
        limits.message_key(session.token_hash),
        limit=limits.messages_per_window(),
        window_seconds=limits.MESSAGE_WINDOW_SECONDS,
    ):
        raise RateLimited("You are sending messages too quickly; this one was not sent.")
    provider_message_id = f"{session.visitor_id}:{_client_uuid(client_id)}"
    # A resend of a stored message (same client_id) has sent its files already.
    if attachment_ids and not _stored(session, provider_message_id):
        owned = selectors.unsent_uploads(session=session, attachment_ids=attachment_ids)
        if len(owned) != len(attachment_ids):
            raise MessageRejected("A file could not be found; upload it again.")
    account = session.account
    message, created = message_receive(
        inbound=Inbound.to_account(
            account,
            sender_address=session.visitor_id,
            sender_name=session.name,
            body=body,
            # Scoped to the visitor, so nobody can replay another visitor's id to read it.
            provider_message_id=provider_message_id,
            visitor_ip=ip,
            visitor=visitor_context(session),
        )
    )
    if created and attachment_ids:
        joined = message_attach_uploads(message_id=message.pk, attachment_ids=attachment_ids)
        if joined != len(attachment_ids):
            # Sent with another message meanwhile: this one is refused whole (rolled back).
            raise MessageRejected("A file was already sent; upload it again.")
    visitor_socket_presence(session_id=session.pk, change=0)
    prefetch_related_objects([message], "attachments")  # once, for every session's payload
    session_ids = list(
        selectors.live_sessions(account_id=account.pk, visitor_id=session.visitor_id).values_list(
            "pk", flat=True
        )
    )
    payloads = [
        (sid, push.message_payload(message, visitor_name=session.name, session_id=sid))
        for sid in session_ids
    ]
    transaction.on_commit(lambda: _echo(payloads))
    return message


def _stored(session: VisitorSession, provider_message_id: str) -> bool:
    return Message.objects.filter(
        channel_account_id=session.account_id, provider_message_id=provider_message_id
    ).exists()


def _attachment_ids(given: object) -> list[int]:
    if given is None:
        return []
    if not isinstance(given, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in given
    ):
        raise MessageRejected("`attachments` must be a list of file ids.")
    if len(given) > MAX_FILES_PER_MESSAGE:
        raise MessageRejected(f"Send at most {MAX_FILES_PER_MESSAGE} files in one message.")
    return list(dict.fromkeys(given))


def _live_session(session_id: int, *, ip: str | None) -> VisitorSession:
    """The session a visitor writes or uploads through: refused once ended or blocked."""
    session = VisitorSession.objects.select_related("account").filter(pk=session_id).first()
    if session is None or not session.is_live or not session.account.active:
        raise InvalidSession()
    if selectors.visitor_blocked(visitor_id=session.visitor_id, ip=ip):
        raise VisitorBlocked()
    return session


@transaction.atomic
def visitor_upload(*, session_id: int, name: str, data: bytes, ip: str | None = None) -> Attachment:
    """A file the visitor will send: the agents' checks (type by content, size), then
    recorded as this session's, so no other visitor can attach it."""
    session = _live_session(session_id, ip=ip)
    if not limits.allow(
        limits.upload_key(session.token_hash),
        limit=limits.uploads_per_minute(),
        window_seconds=60,
    ):
        raise RateLimited("You are sending files too quickly; wait a moment.")
    attachment = attachment_store(name=name, data=data)
    VisitorUpload.objects.create(attachment=attachment, session=session)
    return attachment


def _client_uuid(client_id: str | None) -> str:
    try:
        return str(uuid.UUID(str(client_id)))
    except ValueError:
        return str(uuid.uuid4())


def _echo(payloads: list[tuple[int, dict]]) -> None:
    # The message is stored; a visitor who misses the echo gets it on reconnect.
    try:
        for session_id, payload in payloads:
            push.send_message([session_id], payload)
    except Exception:
        logger.exception("Echo to the visitor's socket failed; the reconnect replay covers it")


@transaction.atomic
def visitor_session_end(*, conversation_id: int) -> list[int]:
    """End the live sessions of a chat's visitor (an agent ended or blocked it).
    Returns their ids, whose sockets are then told and closed."""
    conversation = (
        Conversation.objects.select_related("identity").filter(pk=conversation_id).first()
    )
    if conversation is None:
        return []
    sessions = selectors.conversation_sessions(conversation).select_for_update()
    ids = list(sessions.values_list("pk", flat=True))
    VisitorSession.objects.filter(pk__in=ids).update(ended_at=timezone.now())
    return ids


def visitor_rating_session(*, token: str, ip: str | None) -> VisitorSession:
    """The session a rating comes from. It may have ended (the agent's End ends it and
    asks for the rating at once), so an ended session's token still counts; a blocked
    visitor is refused."""
    session = (
        VisitorSession.objects.select_related("account")
        .filter(token_hash=token_digest(token), account__active=True)
        .first()
        if token
        else None
    )
    if session is None:
        raise InvalidSession()
    if selectors.visitor_blocked(visitor_id=session.visitor_id, ip=ip):
        raise VisitorBlocked()
    return session


def visitor_csat_rate(*, session: VisitorSession, rating: object, comment: object) -> Conversation:
    """The visitor's rating of their chat last asked about. Domain errors: 400 for a bad
    rating, 409 when none was asked for or it was rated already."""
    return csat_services.csat_visitor_rate(
        channel_account_id=session.account_id,
        visitor_id=session.visitor_id,
        rating=rating,
        comment="" if comment is None else comment,
    )
