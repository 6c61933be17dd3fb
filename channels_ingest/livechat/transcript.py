"""A visitor asks for their chat's transcript by e-mail (docs/api.md: Transcripts).

The customer's version only (no private notes, no agents' event lines), of the chat
their session had, sent through Django's e-mail backend.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from channels_ingest.livechat import limits, selectors
from channels_ingest.livechat.errors import InvalidSession, LiveChatError, RateLimited
from channels_ingest.livechat.models import VisitorSession, token_digest
from chatdesk.inbox.models import Conversation
from chatdesk.inbox.services.transcript import Audience, transcript_filename, transcript_render

TRANSCRIPTS_PER_HOUR = 5
# How long after an agent ended the chat its session may still ask for the transcript.
TRANSCRIPT_AFTER_END_SECONDS = 24 * 3600


class NothingToSend(LiveChatError):
    status_code = 409
    default_detail = "There is no chat to send yet: write to us first."


def transcript_key(token_hash: str) -> str:
    return f"livechat:rate:transcript:{token_hash}"


def _session(token: str, ip: str | None) -> VisitorSession:
    """The token's session, live or ended a little while ago (the transcript is most
    wanted right after the end); refused when unknown, too old or blocked."""
    if not token:
        raise InvalidSession()
    after_end = getattr(
        settings, "LIVECHAT_TRANSCRIPT_AFTER_END_SECONDS", TRANSCRIPT_AFTER_END_SECONDS
    )
    ended_since = timezone.now() - timedelta(seconds=after_end)
    session = (
        VisitorSession.objects.select_related("account")
        .filter(token_hash=token_digest(token), account__active=True)
        .first()
    )
    if session is None or (session.ended_at is not None and session.ended_at < ended_since):
        raise InvalidSession()
    if selectors.visitor_blocked(visitor_id=session.visitor_id, ip=ip):
        raise InvalidSession()
    return session


def _conversation(session: VisitorSession) -> Conversation | None:
    """The visitor's latest chat on this site that this session took part in."""
    return (
        Conversation.objects.filter(
            channel_account_id=session.account_id,
            identity__kind="livechat",
            identity__address=session.visitor_id,
            last_message_at__gte=session.created_at,
        )
        .select_related("identity__contact")
        .order_by("-created_at", "-id")
        .first()
    )


def transcript_email(*, token: str, email: str, ip: str | None) -> None:
    """E-mail the visitor's own transcript to `email` (already validated)."""
    session = _session(token, ip)
    hourly = getattr(settings, "LIVECHAT_TRANSCRIPTS_PER_HOUR", TRANSCRIPTS_PER_HOUR)
    if not limits.allow(transcript_key(session.token_hash), limit=hourly, window_seconds=3600):
        raise RateLimited("You have asked for the transcript several times; try again later.")
    conversation = _conversation(session)
    if conversation is None:
        raise NothingToSend()
    text = transcript_render(
        conversation=conversation, audience=Audience.CUSTOMER, since=session.created_at
    )
    site = session.account.name
    message = EmailMessage(
        subject=f"Your chat with {site}",
        body=f"Here is the transcript of your chat with {site}.\n\n{text}",
        to=[email],
    )
    message.attach(transcript_filename(conversation), text, "text/plain")
    message.send(fail_silently=False)
