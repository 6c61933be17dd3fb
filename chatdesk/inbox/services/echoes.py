"""Messages the business sent outside the desk (the WhatsApp Business app on a phone):
shown in the customer's chat as sent replies, never sent again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from chatdesk.inbox import assignment, events
from chatdesk.inbox.models import Conversation, DeliveryStatus, Message
from chatdesk.inbox.selectors import conversation_audience
from chatdesk.inbox.services.receive import Inbound, _open_conversation
from contacts import services as contacts_services


@dataclass(frozen=True)
class Echo:
    """A message the business sent elsewhere, provider-neutral (channels_ingest builds it)."""

    channel: str
    channel_account_id: int
    route_queue_id: int | None
    route_agent_id: int | None
    customer_address: str
    body: str
    provider_message_id: str
    sent_at: datetime | None = None


@transaction.atomic
def message_echo_record(*, echo: Echo) -> tuple[Message, bool]:
    """Store the echo as an outbound, already sent message in the customer's open chat
    (a new one, routed as usual, when none is open). Idempotent on the provider's id."""
    stored = Message.objects.filter(
        channel_account_id=echo.channel_account_id, provider_message_id=echo.provider_message_id
    ).first()
    if stored is not None:
        return stored, False
    identity = contacts_services.identity_resolve(
        kind=echo.channel, address=echo.customer_address, display_name=""
    )
    inbound = Inbound(
        channel=echo.channel,
        channel_account_id=echo.channel_account_id,
        route_queue_id=echo.route_queue_id,
        route_agent_id=echo.route_agent_id,
        sender_address=echo.customer_address,
        sender_name="",
        body=echo.body,
        provider_message_id=echo.provider_message_id,
        sent_at=echo.sent_at,
    )
    conversation, opened = _open_conversation(inbound, identity)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation,
                direction=Message.Direction.OUT,
                body=echo.body.replace("\x00", "\ufffd"),
                channel_account_id=echo.channel_account_id,
                provider_message_id=echo.provider_message_id,
                # Already with the customer: the outbox has nothing to send.
                delivery_status=DeliveryStatus.SENT,
                delivery_due_at=None,
            )
    except IntegrityError:
        return Message.objects.get(
            channel_account_id=echo.channel_account_id,
            provider_message_id=echo.provider_message_id,
        ), False
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=message.created_at, archived=False
    )
    conversation.last_message_at = message.created_at
    conversation.archived = False
    audience = None
    if opened:
        offered = assignment.route(conversation=conversation, opened_now=True)
        audience = conversation_audience(conversation)
        events.publish(
            "conversation.updated",
            data=events.conversation_data(conversation),
            recipients=audience - offered,
            conversation=conversation,
        )
    events.message_created(message, audience=audience)
    return message, True
