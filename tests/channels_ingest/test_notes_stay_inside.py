"""A private note never reaches a provider: the loopback emulator records nothing for it,
while a reply written next to it goes out as usual."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote_plus

import pytest
from django.utils import timezone

from channels_ingest.tasks import deliver_message, resend_pending
from chatdesk.inbox.models import DeliveryStatus, Message
from chatdesk.inbox.services.delivery import outbox_claim, outbox_overdue
from tests.factories import ChannelAccountFactory

from .support import OUR_NUMBER, TWILIO_CREDENTIALS

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_account(queue_a):
    return ChannelAccountFactory(
        kind="sms", external_id=OUR_NUMBER, credentials=TWILIO_CREDENTIALS, route_queue=queue_a
    )


def _note_then_reply(api, agent, conversation_id: int) -> tuple[int, int]:
    base = f"/api/v1/conversations/{conversation_id}"
    note = api(agent).post(f"{base}/notes/", {"body": "SECRET: card ends 4242"})
    assert note.status_code == 201, note.content
    reply = api(agent).post(f"{base}/messages/", {"body": "Your refund is on its way"})
    assert reply.status_code == 201, reply.content
    return note.json()["id"], reply.json()["id"]


@pytest.mark.parametrize(
    ("account_fixture", "address", "provider"),
    [("wa_account", "14155550123", "whatsapp"), ("sms_account", "+14155550123", "twilio")],
)
def test_the_provider_receives_the_reply_and_never_the_note(
    request, providers, eager, customer_writes, alice, api, account_fixture, address, provider
):
    account = request.getfixturevalue(account_fixture)
    conversation = customer_writes("Refund?", to=account, address=address).conversation
    note_id, reply_id = _note_then_reply(api, alice, conversation.pk)

    # A run queued for the note itself (by mistake, or by a replayed task) sends nothing.
    assert deliver_message.apply(args=(note_id,)).get() == "not pending"
    assert providers.requests(provider) == []
    deliver_message.apply(args=(reply_id,)).get()
    # Accepted by the provider (Twilio reports it queued, WhatsApp sent).
    assert Message.objects.get(pk=reply_id).provider_message_id
    # The sweep, long after, finds nothing of the note either.
    Message.objects.filter(pk=note_id).update(created_at=timezone.now() - timedelta(days=1))
    assert resend_pending.apply().get() == 0

    sent = providers.requests(provider)
    assert len(sent) == 1
    # Form-encoded (Twilio) or JSON (Meta): decoded, the note's words are nowhere.
    texts = [unquote_plus(request.body.decode()) for request in sent]
    assert all("SECRET" not in text and "4242" not in text for text in texts)
    assert "Your refund is on its way" in texts[0]
    note = Message.objects.get(pk=note_id)
    assert (note.delivery_status, note.provider_message_id, note.delivery_attempts) == (
        DeliveryStatus.SENT,
        None,
        0,
    )


def test_a_note_marked_pending_is_still_never_claimed(
    providers, eager, wa_account, customer_writes, alice, api
):
    """Belt and braces: even a note some future code marks pending and due stays out of
    the outbox's claim and its sweep."""
    conversation = customer_writes("Hi", to=wa_account).conversation
    response = api(alice).post(f"/api/v1/conversations/{conversation.pk}/notes/", {"body": "x"})
    note_id = response.json()["id"]
    Message.objects.filter(pk=note_id).update(
        delivery_status=DeliveryStatus.PENDING,
        delivery_due_at=timezone.now() - timedelta(hours=1),
        channel_account=wa_account,
    )
    assert outbox_claim(message_id=note_id, limit=20) == []
    assert note_id not in outbox_overdue(older_than=timedelta(seconds=1))
    assert deliver_message.apply(args=(note_id,)).get() == "not pending"
    assert providers.requests("whatsapp") == []
