"""Customer satisfaction: a 1-5 rating asked once after Dealt with or End.

On a queue with `csat_enabled`, closing a chat asks its customer once. A live-chat
visitor's widget gets `csat.request` (through the visitor port) and posts the rating;
on WhatsApp, Messenger and SMS a notice asks for a digit, and the customer's next
message, if it is a digit from 1 to 5 within CSAT_ANSWER_HOURS, is the rating: it is
stored in that closed chat and opens nothing. Any other message routes as usual and
the question lapses. A chat is rated at most once.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from chatdesk.inbox import events, ports
from chatdesk.inbox.errors import InvalidInput, InvalidState
from chatdesk.inbox.models import (
    OPEN_STATUSES,
    Channel,
    Conversation,
    DeliveryStatus,
    Message,
)
from chatdesk.inbox.services.common import now
from contacts import services as contacts_services

CSAT_REQUEST = "csat_request"
CSAT_RATED = "csat"
VISITOR_EVENT = "csat.request"
DEFAULT_QUESTION = (
    "Thank you for contacting us. How satisfied are you with our help? "
    "Reply with a digit from 1 (poor) to 5 (excellent)."
)
MAX_COMMENT_CHARS = 2000
TEXT_CHANNELS = frozenset({Channel.WHATSAPP, Channel.MESSENGER, Channel.SMS})
_DIGIT = re.compile(r"\s*([1-5])\s*\Z")


class NotAsked(InvalidState):
    code = "csat_not_asked"


class AlreadyRated(InvalidState):
    code = "csat_already_rated"


def answer_window() -> timedelta:
    return timedelta(hours=getattr(settings, "CSAT_ANSWER_HOURS", 24))


def _question() -> str:
    return (getattr(settings, "CSAT_QUESTION", "") or DEFAULT_QUESTION).strip()


def csat_request(conversation: Conversation) -> bool:
    """Ask the customer of a chat being dealt with or ended (row-locked, in its
    transaction) for a rating, once, if its queue asks. Returns whether it asked.

    Call it before anything else the closing tells the visitor after commit: the
    visitor's socket must get `csat.request` before `chat.ended` closes it.
    """
    if conversation.csat_requested_at is not None or conversation.queue_id is None:
        return False
    if conversation.channel != Channel.LIVECHAT and conversation.channel not in TEXT_CHANNELS:
        return False
    if conversation.channel == Channel.LIVECHAT and conversation.offline:
        return False  # an offline form's sender has no widget open to answer in
    if not conversation.queue.csat_enabled:
        return False
    conversation.csat_requested_at = now()
    conversation.save(update_fields=["csat_requested_at"])
    if conversation.channel == Channel.LIVECHAT:
        transaction.on_commit(lambda: ports.visitor_event(conversation.pk, VISITOR_EVENT, ""))
        return True
    question = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUT,
        kind=Message.Kind.NOTICE,
        event={"type": CSAT_REQUEST, "actor": None, "actor_name": ""},
        body=_question(),
        channel_account_id=conversation.channel_account_id,
        # Pending: the outbox delivers it like a reply, with its retries and sweep.
        delivery_status=DeliveryStatus.PENDING,
        delivery_due_at=now(),
    )
    events.message_created(question)
    transaction.on_commit(lambda: ports.enqueue(question.pk, question.channel_account_id))
    return True


def _awaiting(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return queryset.filter(
        csat_requested_at__gte=now() - answer_window(), csat_at__isnull=True
    ).exclude(status__in=OPEN_STATUSES)


def csat_awaited_by_visitor(*, channel_account_id: int, visitor_id: str) -> bool:
    """Whether a live-chat visitor with no open chat still owes the rating they were
    asked for: their widget shows the card again when it reconnects (a reload)."""
    chats = Conversation.objects.filter(
        channel_account_id=channel_account_id,
        identity__kind=Channel.LIVECHAT,
        identity__address=visitor_id,
    )
    if chats.filter(status__in=OPEN_STATUSES).exists():
        return False
    latest = (
        chats.filter(csat_requested_at__isnull=False)
        .order_by("-csat_requested_at", "-pk")
        .values_list("csat_requested_at", "csat_at")
        .first()
    )
    if latest is None:
        return False
    requested_at, rated_at = latest
    return rated_at is None and requested_at >= now() - answer_window()


def csat_inbound(inbound) -> tuple[Message, bool] | None:
    """The customer's message as the answer to a rating question, or None when it is
    not one (it then routes as usual). `inbound` is receive.Inbound; called inside
    message_receive's transaction, when the sender has no open chat."""
    if inbound.channel not in TEXT_CHANNELS:
        return None
    digit = _DIGIT.match(inbound.body)
    if digit is None:
        return None
    try:
        address = contacts_services.normalize_address(inbound.channel, inbound.sender_address)
    except ValidationError:
        return None
    conversation = (
        _awaiting(Conversation.objects.select_for_update())
        .filter(
            channel_account_id=inbound.channel_account_id,
            identity__kind=inbound.channel,
            identity__address=address,
        )
        .order_by("-csat_requested_at", "-pk")
        .first()
    )
    if conversation is None:
        return None
    # Only the next message answers: anything the customer wrote since the question
    # (which routed as usual) means they did not take it up.
    wrote_since = Message.objects.filter(
        conversation__identity_id=conversation.identity_id,
        conversation__channel_account_id=inbound.channel_account_id,
        direction=Message.Direction.IN,
        created_at__gt=conversation.csat_requested_at,
    ).exists()
    if wrote_since:
        return None
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation,
                direction=Message.Direction.IN,
                body=inbound.body,
                channel_account_id=inbound.channel_account_id,
                provider_message_id=inbound.provider_message_id,
                delivery_status=DeliveryStatus.DELIVERED,
            )
    except IntegrityError:
        return None  # the same provider message stored concurrently: the caller finds it
    _rate(conversation, rating=int(digit.group(1)), comment="")
    events.message_created(message)
    return message, True


def _rate(conversation: Conversation, *, rating: int, comment: str) -> None:
    conversation.csat_rating = rating
    conversation.csat_comment = comment
    conversation.csat_at = now()
    conversation.save(update_fields=["csat_rating", "csat_comment", "csat_at"])
    events.conversation_changed(conversation)
    events.csat_received(conversation)


def _valid_rating(rating: object) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput("rating must be a whole number from 1 to 5.")
    return rating


@transaction.atomic
def csat_visitor_rate(
    *, channel_account_id: int, visitor_id: str, rating: object, comment: str = ""
) -> Conversation:
    """A live-chat visitor's rating of their chat that was last asked for one.

    InvalidInput (400) for a bad rating or comment; NotAsked (409) when no chat of
    theirs awaits a rating; AlreadyRated (409) when it was rated already.
    """
    rating = _valid_rating(rating)
    if not isinstance(comment, str):
        raise InvalidInput("comment must be text.")
    comment = comment.replace("\x00", "").strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise InvalidInput(f"comment must be at most {MAX_COMMENT_CHARS} characters.")
    conversation = (
        Conversation.objects.select_for_update()
        .filter(
            channel=Channel.LIVECHAT,
            channel_account_id=channel_account_id,
            identity__kind=Channel.LIVECHAT,
            identity__address=visitor_id,
            csat_requested_at__isnull=False,
        )
        .order_by("-csat_requested_at", "-pk")
        .first()
    )
    if conversation is None:
        raise NotAsked("No rating was asked for.")
    if conversation.csat_at is not None:
        raise AlreadyRated("This chat has been rated already.")
    if conversation.csat_requested_at < now() - answer_window():
        raise NotAsked("The time to rate this chat has passed.")
    # A line for the agents' view of the chat; the rating itself is on the chat.
    line = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUT,
        kind=Message.Kind.EVENT,
        event={"type": CSAT_RATED, "rating": rating, "comment": comment},
        body="",
        delivery_status=DeliveryStatus.DELIVERED,
    )
    events.message_created(line)
    _rate(conversation, rating=rating, comment=comment)
    return conversation
