"""Reply windows: set from the provider's timestamp of the customer's last message,
enforced when the agent presses Send, with a frozen clock at the edges."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from channels_ingest.tasks import deliver_message
from chatdesk.inbox.models import Conversation, DeliveryStatus, Message
from tests.factories import ChannelAccountFactory

from .support import (
    MESSENGER_CREDENTIALS,
    PAGE_ID,
    PHONE_NUMBER_ID,
    PSID,
    WHATSAPP_CREDENTIALS,
    meta_signature,
    raw,
)

pytestmark = pytest.mark.django_db

# The customer's message, as the provider stamped it.
WROTE_AT = datetime(2026, 12, 1, 9, 0, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


class Clock:
    """timezone.now() frozen where the test puts it (the outbox and services read it)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock(monkeypatch):
    frozen = Clock(WROTE_AT + timedelta(minutes=1))
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def web():
    return Client()


@pytest.fixture
def wa(queue_a):
    return ChannelAccountFactory(
        kind="whatsapp",
        external_id=PHONE_NUMBER_ID,
        credentials=WHATSAPP_CREDENTIALS,
        route_queue=queue_a,
    )


def messenger_account(queue_a, *, human_agent: bool):
    return ChannelAccountFactory(
        kind="messenger",
        external_id=PAGE_ID,
        credentials=MESSENGER_CREDENTIALS,
        route_queue=queue_a,
        messenger_human_agent=human_agent,
    )


def whatsapp_writes(web, at: datetime, wamid: str = "wamid.WINDOW1") -> Conversation:
    body = json.loads(raw("whatsapp_text.json"))
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message["timestamp"], message["id"] = str(int(at.timestamp())), wamid
    return _post(web, "/webhooks/whatsapp/", body, wamid)


def messenger_writes(web, at: datetime, mid: str = "m_WINDOW1") -> Conversation:
    body = json.loads(raw("messenger_text.json"))
    event = body["entry"][0]["messaging"][0]
    event["timestamp"], event["message"]["mid"] = int(at.timestamp() * 1000), mid
    return _post(web, "/webhooks/messenger/", body, mid)


def _post(web, url: str, body: dict, provider_id: str) -> Conversation:
    data = json.dumps(body).encode()  # changed bytes: signed anew
    response = web.post(
        url, data=data, content_type="application/json", headers=meta_signature(data)
    )
    assert response.status_code == 200
    return Message.objects.get(provider_message_id=provider_id).conversation


def reply(api, agent, conversation: Conversation, body: str = "Here to help", **extra):
    return api(agent).post(
        f"/api/v1/conversations/{conversation.pk}/messages/", {"body": body, **extra}, format="json"
    )


def test_a_whatsapp_message_opens_the_window_for_24_hours(web, api, alice, wa, clock):
    conversation = whatsapp_writes(web, WROTE_AT)
    assert conversation.reply_window_closes_at == WROTE_AT + timedelta(hours=24)
    shown = api(alice).get(f"/api/v1/conversations/{conversation.pk}/").json()
    assert shown["reply_window_closes_at"] == "2026-12-02T09:00:00Z"


def test_just_inside_the_window_free_text_is_queued(web, api, alice, wa, clock):
    conversation = whatsapp_writes(web, WROTE_AT)
    clock.at = WROTE_AT + timedelta(hours=24)  # the last moment it is open
    response = reply(api, alice, conversation)
    assert response.status_code == 201
    message = Message.objects.get(pk=response.json()["id"])
    assert message.delivery_status == DeliveryStatus.PENDING
    assert message.delivery_due_at is not None


def test_just_outside_the_window_free_text_is_refused_at_once(web, api, alice, wa, clock):
    conversation = whatsapp_writes(web, WROTE_AT)
    clock.at = WROTE_AT + timedelta(hours=24) + SECOND
    before = Message.objects.count()
    response = reply(api, alice, conversation)
    assert response.status_code == 409
    assert response.json()["code"] == "window_closed"
    assert "template" in response.json()["detail"]
    assert Message.objects.count() == before  # nothing queued
    conversation.refresh_from_db()
    assert conversation.owner_id is None  # a refused reply takes nothing either


def test_files_alone_are_refused_after_the_window_too(web, api, alice, wa, clock):
    conversation = whatsapp_writes(web, WROTE_AT)
    clock.at = WROTE_AT + timedelta(days=2)
    response = reply(api, alice, conversation, body="", attachments=[1])
    assert response.status_code == 409
    assert response.json()["code"] == "window_closed"


def test_a_new_customer_message_reopens_the_window(web, api, alice, wa, clock):
    conversation = whatsapp_writes(web, WROTE_AT)
    clock.at = WROTE_AT + timedelta(hours=30)
    assert reply(api, alice, conversation).status_code == 409
    wrote_again = WROTE_AT + timedelta(hours=29)
    assert whatsapp_writes(web, wrote_again, "wamid.WINDOW2").pk == conversation.pk
    conversation.refresh_from_db()
    assert conversation.reply_window_closes_at == wrote_again + timedelta(hours=24)
    assert reply(api, alice, conversation).status_code == 201


def test_a_late_delivered_older_message_does_not_shorten_the_window(web, wa, clock):
    conversation = whatsapp_writes(web, WROTE_AT)
    whatsapp_writes(web, WROTE_AT - timedelta(hours=3), "wamid.OLDER")
    conversation.refresh_from_db()
    assert conversation.reply_window_closes_at == WROTE_AT + timedelta(hours=24)


def test_the_outbox_sends_a_reply_queued_inside_the_window(
    web, api, alice, wa, clock, providers, eager
):
    conversation = whatsapp_writes(web, WROTE_AT)
    clock.at = WROTE_AT + timedelta(hours=23)
    message_id = reply(api, alice, conversation).json()["id"]
    assert deliver_message.apply(args=(message_id,)).get() == "sent"
    assert providers.requests("whatsapp")[-1].json()["text"]["body"] == "Here to help"


def test_messenger_without_the_human_agent_tag_closes_after_24_hours(
    web, api, alice, queue_a, clock
):
    messenger_account(queue_a, human_agent=False)
    conversation = messenger_writes(web, WROTE_AT)
    assert conversation.reply_window_closes_at == WROTE_AT + timedelta(hours=24)
    clock.at = WROTE_AT + timedelta(hours=24) + SECOND
    response = reply(api, alice, conversation)
    assert response.status_code == 409
    assert response.json()["code"] == "window_closed"


def test_messenger_with_the_human_agent_tag_answers_for_7_days_tagged(
    web, api, alice, queue_a, clock, providers, eager
):
    messenger_account(queue_a, human_agent=True)
    conversation = messenger_writes(web, WROTE_AT)
    assert conversation.reply_window_closes_at == WROTE_AT + timedelta(days=7)

    # Within the first 24 hours: a plain response.
    clock.at = WROTE_AT + timedelta(hours=24)
    first = reply(api, alice, conversation, body="Within a day").json()["id"]
    assert deliver_message.apply(args=(first,)).get() == "sent"
    sent = providers.requests("messenger")[-1].json()
    assert sent["messaging_type"] == "RESPONSE"
    assert "tag" not in sent

    # The extra days: tagged HUMAN_AGENT, as the Send API requires.
    clock.at = WROTE_AT + timedelta(hours=24) + SECOND
    later = reply(api, alice, conversation, body="Two days on").json()["id"]
    assert deliver_message.apply(args=(later,)).get() == "sent"
    sent = providers.requests("messenger")[-1].json()
    assert sent["messaging_type"] == "MESSAGE_TAG"
    assert sent["tag"] == "HUMAN_AGENT"
    assert sent["recipient"] == {"id": PSID}
    assert sent["message"] == {"text": "Two days on"}

    clock.at = WROTE_AT + timedelta(days=7)
    assert reply(api, alice, conversation).status_code == 201
    clock.at = WROTE_AT + timedelta(days=7) + SECOND
    response = reply(api, alice, conversation)
    assert response.status_code == 409
    assert response.json()["code"] == "window_closed"


def test_sms_and_live_chat_have_no_window(api, alice, queue_a, customer_writes, clock):
    sms = ChannelAccountFactory(kind="sms", external_id="+15005550006", route_queue=queue_a)
    conversation = customer_writes("hi", to=sms, address="+14155550123").conversation
    assert conversation.reply_window_closes_at is None
    clock.at = WROTE_AT + timedelta(days=30)
    assert reply(api, alice, conversation).status_code == 201


def test_retrying_free_text_after_the_window_is_refused_at_once(web, api, alice, wa, clock):
    conversation = whatsapp_writes(web, WROTE_AT)
    message_id = reply(api, alice, conversation).json()["id"]
    Message.objects.filter(pk=message_id).update(
        delivery_status=DeliveryStatus.FAILED, delivery_error="131047 Re-engagement message"
    )
    clock.at = WROTE_AT + timedelta(days=1, minutes=1)
    response = api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/messages/{message_id}/retry/"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "window_closed"
    assert Message.objects.get(pk=message_id).delivery_status == DeliveryStatus.FAILED
