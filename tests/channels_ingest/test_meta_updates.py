"""Every kind of WhatsApp webhook change Meta documents, signed and posted for real.

Fixture bodies (tests/fixtures/providers/meta_updates/) follow the webhook reference's
syntax per field; the cast is the provider fixtures' own (README there).
"""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from channels_ingest.whatsapp_templates import WhatsAppTemplate
from chatdesk.inbox.models import Conversation, DeliveryStatus, Message
from tests.factories import ChannelAccountFactory

from .support import (
    ALICE_WA_ID,
    FIXTURES,
    PHONE_NUMBER_ID,
    WHATSAPP_CREDENTIALS,
    meta_signature,
    raw,
)

pytestmark = pytest.mark.django_db

URL = "/webhooks/whatsapp/"

# Acknowledged and logged: nothing in the desk changes.
LOGGED_FIELDS = [
    "account_alerts",
    "account_review_update",
    "account_update",
    "automatic_events",
    "business_capability_update",
    "calls",
    "history",
    "message_template_components_update",
    "message_template_quality_update",
    "partner_solutions",
    "payment_configuration_update",
    "phone_number_name_update",
    "phone_number_quality_update",
    "security",
    "smb_app_state_sync",
    "template_category_update",
    "user_preferences",
    "user_id_update",
]
ACTED_ON = ["message_template_status_update", "smb_message_echoes"]


def update(name: str) -> bytes:
    return raw(f"meta_updates/{name}.json")


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


def post(web, body: bytes, headers: dict | None = None):
    return web.post(
        URL,
        data=body,
        content_type="application/json",
        headers=meta_signature(body) if headers is None else headers,
    )


def test_every_documented_field_has_a_fixture():
    names = {path.stem for path in (FIXTURES / "meta_updates").glob("*.json")}
    for field in LOGGED_FIELDS + ACTED_ON:
        assert field in names
        assert json.loads(update(field))["entry"][0]["changes"][0]["field"] == field


@pytest.mark.parametrize("field", LOGGED_FIELDS)
def test_account_level_changes_are_acknowledged_and_logged(web, wa, caplog, field):
    caplog.set_level(logging.INFO, logger="channels_ingest.meta_updates")
    response = post(web, update(field))
    assert response.status_code == 200
    assert response.content == b"OK"
    assert Message.objects.count() == 0
    assert Conversation.objects.count() == 0
    assert any(field in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("field", LOGGED_FIELDS + ACTED_ON)
def test_a_wrong_signature_is_refused_and_changes_nothing(web, wa, field):
    template = WhatsAppTemplate.objects.create(
        account=wa, name="order_update", language="en_US", body="Hi", status="PENDING"
    )
    body = update(field)
    response = post(web, body, headers=meta_signature(body, secret="not-the-app-secret"))
    assert response.status_code == 403
    assert Message.objects.count() == 0
    template.refresh_from_db()
    assert template.status == "PENDING"


def test_unsigned_is_refused(web, wa):
    assert post(web, update("account_update"), headers={}).status_code == 403


def test_each_distinct_app_secret_is_tried(web, queue_a):
    """A change naming no number of ours is vouched for by any account's app secret."""
    ChannelAccountFactory(
        kind="whatsapp",
        external_id="113355779900999",
        credentials={**WHATSAPP_CREDENTIALS, "app_secret": "another-apps-secret"},
        route_queue=queue_a,
    )
    ChannelAccountFactory(
        kind="whatsapp",
        external_id="113355779900888",
        credentials=WHATSAPP_CREDENTIALS,  # the secret the fixtures are signed with
        route_queue=queue_a,
    )
    assert post(web, update("account_update")).status_code == 200
    assert post(web, update("calls")).status_code == 200  # names a number we do not have


def test_an_inactive_accounts_secret_vouches_for_nothing(web, wa):
    wa.active = False
    wa.save()
    assert post(web, update("account_update")).status_code == 403


def test_template_status_updates_move_the_template(web, wa):
    template = WhatsAppTemplate.objects.create(
        account=wa,
        name="order_update",
        language="en_US",
        body="Hello {{1}}",
        variables=["customer_name"],
        status="PENDING",
    )
    other_language = WhatsAppTemplate.objects.create(
        account=wa, name="order_update", language="de", body="Hallo", status="PENDING"
    )
    assert post(web, update("message_template_status_update")).status_code == 200
    template.refresh_from_db()
    assert template.status == "APPROVED"
    assert template.status_changed_at is not None
    assert template.status_reason == ""
    other_language.refresh_from_db()
    assert other_language.status == "PENDING"

    # Meta may spell the language en-US here: the same template.
    assert post(web, update("message_template_status_update_rejected")).status_code == 200
    template.refresh_from_db()
    assert template.status == "REJECTED"
    assert template.status_reason.startswith("Your template has parameters placed next")


def test_template_status_for_an_unknown_template_is_acknowledged(web, wa):
    assert post(web, update("message_template_status_update")).status_code == 200
    assert WhatsAppTemplate.objects.count() == 0


def test_business_app_echoes_appear_as_sent_replies_and_are_not_sent(web, wa, providers):
    assert post(web, update("smb_message_echoes")).status_code == 200
    echo = Message.objects.get()
    assert echo.direction == Message.Direction.OUT
    assert echo.sender_id is None
    assert echo.body == "Sent from the phone: your parcel left today — 📦"
    assert echo.delivery_status == DeliveryStatus.SENT
    assert echo.delivery_due_at is None  # nothing for the outbox
    conversation = echo.conversation
    assert conversation.identity.address == ALICE_WA_ID
    assert conversation.channel_account_id == wa.pk
    assert conversation.queue_id == wa.route_queue_id
    # Redelivered: stored once.
    assert post(web, update("smb_message_echoes")).status_code == 200
    assert Message.objects.count() == 1
    assert providers.requests("whatsapp") == []


def test_an_echo_joins_the_customers_open_chat(web, wa):
    assert post(web, raw("whatsapp_text.json")).status_code == 200
    customer_message = Message.objects.get()
    assert post(web, update("smb_message_echoes")).status_code == 200
    echo = Message.objects.exclude(pk=customer_message.pk).get()
    assert echo.conversation_id == customer_message.conversation_id
    assert Conversation.objects.count() == 1


def test_echoes_do_not_reopen_the_reply_window(web, wa):
    assert post(web, update("smb_message_echoes")).status_code == 200
    assert Message.objects.get().conversation.reply_window_closes_at is None


def test_kinds_the_desk_cannot_show_say_what_arrived(web, wa):
    assert post(web, update("messages_kinds_not_shown")).status_code == 200
    bodies = list(Message.objects.order_by("pk").values_list("body", flat=True))
    assert bodies == [
        "[Video received — not shown here]",
        "[Voice message received — not shown here]",
        "[Animated sticker received — not shown here]",
        "[Order received — 3 item(s): For the weekend; not shown here]",
        "[System message: Alice changed their phone number to a new number.]",
        "Unsupported message (type poll_creation)",
    ]


def test_business_scoped_user_ids_are_accepted(web, wa):
    assert post(web, update("messages_with_user_ids")).status_code == 200
    message = Message.objects.get()
    assert message.body == "Hello with a user id"
    assert message.conversation.identity.address == ALICE_WA_ID
    assert message.conversation.identity.display_name == "Alice Example"
