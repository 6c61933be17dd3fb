"""A failed reply says why in plain words; the provider's own text stays beside it."""

from __future__ import annotations

import pytest
from django.conf import settings

from channels_ingest.tasks import deliver_message
from chatdesk.inbox.delivery_text import delivery_problem
from chatdesk.inbox.services.ownership import message_reply

pytestmark = pytest.mark.django_db


def _failed_reply(providers, customer_writes, account, alice, mode: str, times: int = 1) -> int:
    conversation = customer_writes("hi", to=account, address="14155550123").conversation
    message, _ = message_reply(conversation_id=conversation.pk, agent=alice, body="Hello")
    providers.fail_next("whatsapp", mode, times=times)
    deliver_message.apply(args=(message.pk,))
    return message.pk


def _shown(api, user, message_id: int, conversation_id: int) -> dict:
    results = api(user).get(f"/api/v1/conversations/{conversation_id}/messages/").json()
    return next(m for m in results["results"] if m["id"] == message_id)


def test_window_closed_in_plain_words_with_the_code_kept(
    providers, eager, wa_account, alice, customer_writes, api, capture_events, caplog
):
    log = capture_events()
    message_id = _failed_reply(providers, customer_writes, wa_account, alice, "131047")
    conversation_id = customer_writes("again", to=wa_account).conversation_id
    shown = _shown(api, alice, message_id, conversation_id)
    assert shown["delivery_status"] == "failed"
    assert shown["delivery_problem"] == (
        "The customer has not written in the last 24 hours, so WhatsApp accepts no reply "
        "until they write again."
    )
    assert "131047" in shown["delivery_error"]  # the technical text, for the tooltip
    [status] = log.received(alice, "message.status")
    assert status["data"]["delivery_problem"] == shown["delivery_problem"]
    assert any("131047" in record.getMessage() for record in caplog.records)  # and the log


def test_an_unreachable_provider_in_plain_words(
    providers, eager, wa_account, alice, customer_writes, api
):
    attempts = settings.DELIVERY_MAX_ATTEMPTS
    message_id = _failed_reply(providers, customer_writes, wa_account, alice, "500", attempts)
    conversation_id = customer_writes("again", to=wa_account).conversation_id
    assert _shown(api, alice, message_id, conversation_id)["delivery_problem"] == (
        "WhatsApp could not be reached."
    )


@pytest.mark.parametrize(
    ("channel", "error", "words"),
    [
        ("messenger", "Network error: ConnectError('refused') (code network)",
         "Messenger could not be reached."),
        ("sms", "Twilio: Attempt to send to unsubscribed recipient (code 21610)",
         "The customer has opted out of these messages."),
        ("messenger", "Messenger: (#10) outside of allowed window (code 10/2018278)",
         "The customer has not written in the last 24 hours, so Messenger accepts no reply "
         "until they write again."),
        ("whatsapp", "WhatsApp: Something new (code 999999)", "WhatsApp refused this message."),
        ("whatsapp", "", ""),
    ],
)  # fmt: skip
def test_plain_words_for_each_kind_of_failure(channel, error, words):
    assert delivery_problem(channel=channel, error=error) == words
