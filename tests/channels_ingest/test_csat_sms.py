"""Satisfaction on SMS: a question after Dealt with, and a digit for an answer.

The customer writes through Twilio's signed webhook, as in production; the question
goes out through the outbox to the loopback emulator.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from channels_ingest.tasks import deliver_message
from chatdesk.inbox import ports
from chatdesk.inbox.models import Conversation, Message
from chatdesk.inbox.services.common import now
from chatdesk.inbox.services.csat import DEFAULT_QUESTION
from contacts.models import Contact
from tests.factories import ChannelAccountFactory

from .support import ALICE_E164, OUR_NUMBER, TWILIO_CREDENTIALS, form

pytestmark = pytest.mark.django_db

PATH = "/webhooks/twilio/sms/"
_sids = itertools.count(1)


@pytest.fixture
def sms_account(queue_a):
    queue_a.csat_enabled = True
    queue_a.save(update_fields=["csat_enabled"])
    return ChannelAccountFactory(
        kind="sms", external_id=OUR_NUMBER, credentials=TWILIO_CREDENTIALS, route_queue=queue_a
    )


def texts(body: str, *, sid: str | None = None):
    """The customer's SMS, signed as Twilio signs it, through the real webhook."""
    sid = sid or f"SM{next(_sids):032d}"
    params = {**form("twilio_sms_inbound.txt"), "Body": body, "MessageSid": sid, "SmsSid": sid}
    signature = RequestValidator(TWILIO_CREDENTIALS["auth_token"]).compute_signature(
        f"http://testserver{PATH}", params
    )
    response = Client().post(
        PATH,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 200, response.content
    return Message.objects.get(channel_account__kind="sms", provider_message_id=sid)


def _dealt_with(api, agent, conversation: Conversation) -> None:
    response = api(agent).post(f"/api/v1/conversations/{conversation.pk}/dealt-with/")
    assert response.status_code == 200, response.content


def _chats() -> int:
    return Conversation.objects.filter(channel="sms").count()


def test_dealt_with_sends_the_question_through_the_outbox(
    sms_account, alice, api, providers, eager, django_capture_on_commit_callbacks
):
    chat = texts("My delivery address changed").conversation
    with django_capture_on_commit_callbacks() as after_commit:
        _dealt_with(api, alice, chat)
    question = Message.objects.get(conversation=chat, event__type="csat_request")
    assert (question.kind, question.direction, question.body) == ("notice", "out", DEFAULT_QUESTION)
    assert (question.delivery_status, question.delivery_due_at is not None) == ("pending", True)
    handed = []
    with mock.patch.object(ports, "_deliver", lambda *args: handed.append(args)):
        for callback in after_commit:
            callback()
    # The outbox's port, as for a reply, with its sender.
    assert handed == [(question.pk, sms_account.pk)]
    deliver_message.apply(args=(question.pk,)).get()
    question.refresh_from_db()
    # Twilio took it (it may still hold it queued): nothing is left to send.
    assert question.provider_message_id and question.delivery_due_at is None
    sent = providers.requests("twilio")
    assert len(sent) == 1 and "digit" in sent[0].body.decode().replace("+", " ")
    chat.refresh_from_db()
    assert chat.csat_requested_at is not None


def test_a_chat_is_asked_once_even_when_reopened_and_dealt_with_again(
    sms_account, alice, carol, api
):
    chat = texts("Hello").conversation
    _dealt_with(api, alice, chat)
    reopened = api(carol).post(
        f"/api/v1/conversations/{chat.pk}/transfer/", {"agent": alice.pk}, format="json"
    )
    assert reopened.status_code == 200, reopened.content
    _dealt_with(api, alice, chat)
    assert Message.objects.filter(event__type="csat_request").count() == 1


def test_a_digit_within_a_day_rates_the_closed_chat_and_opens_none(sms_account, alice, carol, api):
    contact = Contact.objects.create(name="Ada Customer", phone=ALICE_E164)
    chat = texts("My delivery address changed").conversation
    _dealt_with(api, alice, chat)

    answer = texts(" 4 ")
    assert answer.conversation_id == chat.pk and answer.direction == "in"
    assert _chats() == 1  # no new chat
    chat.refresh_from_db()
    assert (chat.status, chat.csat_rating, chat.archived) == ("dealt_with", 4, True)

    shown = api(carol).get(f"/api/v1/conversations/{chat.pk}/").json()
    assert shown["csat"]["rating"] == 4 and shown["csat"]["comment"] == ""
    history = api(carol).get(f"/api/v1/contacts/{contact.pk}/history/").json()["results"]
    assert [row["csat"]["rating"] for row in history if row["id"] == chat.pk] == [4]

    # Rated once: the next digit is an ordinary message and routes as usual.
    texts("5")
    assert _chats() == 2
    chat.refresh_from_db()
    assert chat.csat_rating == 4


def test_a_redelivered_answer_is_stored_once(sms_account, alice, api):
    chat = texts("Hello").conversation
    _dealt_with(api, alice, chat)
    first = texts("3", sid="SM" + "7" * 32)
    again = texts("3", sid="SM" + "7" * 32)
    assert first.pk == again.pk
    assert Message.objects.filter(conversation=chat, direction="in").count() == 2
    assert _chats() == 1


def test_any_other_message_routes_as_usual_and_the_question_lapses(sms_account, alice, api):
    chat = texts("Hello").conversation
    _dealt_with(api, alice, chat)
    follow_up = texts("Actually, one more thing")
    assert follow_up.conversation_id != chat.pk
    assert follow_up.conversation.status == "unassigned"
    # The question was not taken up: a digit now joins the open chat, rating nothing.
    digit = texts("5")
    assert digit.conversation_id == follow_up.conversation_id
    chat.refresh_from_db()
    assert chat.csat_rating is None


def test_a_digit_after_a_day_routes_as_usual(sms_account, alice, api):
    chat = texts("Hello").conversation
    _dealt_with(api, alice, chat)
    Conversation.objects.filter(pk=chat.pk).update(
        csat_requested_at=now() - timedelta(hours=24, minutes=1)
    )
    digit = texts("5")
    assert digit.conversation_id != chat.pk
    assert _chats() == 2
    chat.refresh_from_db()
    assert chat.csat_rating is None


def test_a_digit_with_no_question_routes_as_usual(queue_a, alice, api):
    ChannelAccountFactory(
        kind="sms", external_id=OUR_NUMBER, credentials=TWILIO_CREDENTIALS, route_queue=queue_a
    )
    chat = texts("Hello").conversation
    _dealt_with(api, alice, chat)  # the queue does not ask
    assert not Message.objects.filter(event__type="csat_request").exists()
    assert texts("5").conversation_id != chat.pk
