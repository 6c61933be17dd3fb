"""Reads with rules: who is blocked, which sessions a chat reaches, what a visitor may see."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from channels_ingest.livechat.models import VisitorSession, VisitorUpload
from channels_ingest.models import ChannelAccount
from chatdesk.inbox.models import OPEN_STATUSES, Conversation, Message, VisitorBlock

# The widget pings every 30 s; a socket silent for longer than this is presumed gone
# (a crashed server process never ran its disconnect handler).
PRESENCE_SECONDS = 90
HISTORY_LIMIT = 100


def active_site(site_key: str) -> ChannelAccount | None:
    return ChannelAccount.objects.filter(
        kind=ChannelAccount.Kind.LIVECHAT, external_id=site_key, active=True
    ).first()


def visitor_blocked(*, visitor_id: str, ip: str | None) -> bool:
    """An unexpired block of this visitor's identity, or of the address they write from."""
    barred = Q(identity__kind="livechat", identity__address=visitor_id)
    if ip:
        barred |= Q(ip_address=ip)
    unexpired = Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    return VisitorBlock.objects.filter(barred & unexpired).exists()


def live_sessions(*, account_id: int, visitor_id: str) -> QuerySet[VisitorSession]:
    return VisitorSession.objects.filter(
        account_id=account_id, visitor_id=visitor_id, ended_at__isnull=True
    )


def conversation_sessions(conversation: Conversation) -> QuerySet[VisitorSession]:
    """The live sessions of the visitor a live chat belongs to."""
    if conversation.identity_id is None or conversation.channel_account_id is None:
        return VisitorSession.objects.none()
    return live_sessions(
        account_id=conversation.channel_account_id, visitor_id=conversation.identity.address
    )


def is_connected(session: VisitorSession) -> bool:
    recent = timezone.now() - timedelta(seconds=PRESENCE_SECONDS)
    return session.open_sockets > 0 and session.last_seen_at >= recent


def open_conversation_id(session: VisitorSession) -> int | None:
    return (
        Conversation.objects.filter(
            channel_account_id=session.account_id,
            identity__kind="livechat",
            identity__address=session.visitor_id,
            status__in=OPEN_STATUSES,
        )
        .values_list("pk", flat=True)
        .first()
    )


def session_messages(session: VisitorSession) -> list[Message]:
    """What this visitor session has said and been told, oldest first: replayed on every connect,
    so a reload or a dropped socket loses nothing. A new session starts with a clean slate."""
    recent = (
        Message.objects.filter(
            conversation__channel_account_id=session.account_id,
            conversation__identity__kind="livechat",
            conversation__identity__address=session.visitor_id,
            created_at__gte=session.created_at,
        )
        # Agents' own story (who took it, transfers) and their private notes.
        .exclude(kind__in=[Message.Kind.EVENT, Message.Kind.NOTE])
        .select_related("sender")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")[:HISTORY_LIMIT]
    )
    return list(reversed(recent))


def unsent_uploads(*, session: VisitorSession, attachment_ids: list[int]) -> list[int]:
    """Which of these ids are this session's own uploads, not yet sent."""
    return list(
        VisitorUpload.objects.filter(
            session=session, attachment_id__in=attachment_ids, attachment__message__isnull=True
        ).values_list("attachment_id", flat=True)
    )


def link_session_may_open(*, session_id: int, attachment_id: int) -> bool:
    """A visitor's file link opens only for a session of the visitor whose chat holds it."""
    session = VisitorSession.objects.filter(pk=session_id).first()
    if session is None:
        return False
    return Message.objects.filter(
        attachments__pk=attachment_id,
        conversation__channel_account_id=session.account_id,
        conversation__identity__kind="livechat",
        conversation__identity__address=session.visitor_id,
    ).exists()
