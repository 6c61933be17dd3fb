"""WhatsApp message templates: the resource, and a template reply sent through the
outbox to the loopback emulator in the Cloud API's documented shape."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from channels_ingest.tasks import deliver_message
from channels_ingest.whatsapp_templates import WhatsAppTemplate
from chatdesk.accounts.models import Role
from chatdesk.inbox.models import Conversation, DeliveryStatus, Message
from chatdesk.inbox.services.receive import message_status_update
from tests.factories import ChannelAccountFactory, UserFactory

from .support import OUR_NUMBER, PHONE_NUMBER_ID, WHATSAPP_CREDENTIALS

pytestmark = pytest.mark.django_db

URL = "/api/v1/whatsapp-templates/"


@pytest.fixture
def olga(db):
    return UserFactory(username="olga", first_name="Olga", role=Role.SYSTEM_OWNER)


@pytest.fixture
def wa(queue_a):
    return ChannelAccountFactory(
        kind="whatsapp",
        external_id=PHONE_NUMBER_ID,
        credentials=WHATSAPP_CREDENTIALS,
        route_queue=queue_a,
    )


@pytest.fixture
def order_update(wa):
    return WhatsAppTemplate.objects.create(
        account=wa,
        name="order_update",
        language="en_US",
        category="UTILITY",
        body="Hello {{1}}, your order {{2}} has shipped.",
        variables=["customer_name", "order_id"],
    )


def body(wa, **overrides) -> dict:
    return {
        "account": wa.pk,
        "name": "order_update",
        "language": "en_US",
        "category": "UTILITY",
        "body": "Hello {{1}}, your order {{2}} has shipped.",
        "variables": ["customer_name", "order_id"],
        **overrides,
    }


def test_the_system_owner_registers_a_template_and_agents_read_it(api, olga, alice, wa):
    response = api(olga).post(URL, body(wa), format="json")
    assert response.status_code == 201
    created = response.json()
    assert {k: created[k] for k in ("account", "name", "language", "category", "body")} == {
        "account": wa.pk,
        "name": "order_update",
        "language": "en_US",
        "category": "UTILITY",
        "body": "Hello {{1}}, your order {{2}} has shipped.",
    }
    assert created["variables"] == ["customer_name", "order_id"]
    assert created["status"] == "APPROVED"
    listed = api(alice).get(URL).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [created["id"]]
    assert api(alice).post(URL, body(wa, name="other"), format="json").status_code == 403
    assert api(alice).delete(f"{URL}{created['id']}/").status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"variables": ["customer_name"]}, "variables"),  # two placeholders, one name
        ({"variables": ["a", "b", "c"]}, "variables"),
        ({"body": "Hi {{1}} and {{3}}", "variables": ["a", "b", "c"]}, "body"),  # a gap
        ({"body": "Hi {{2}}", "variables": ["a", "b"]}, "body"),
        ({"variables": ["same", "same"]}, "variables"),
        ({"variables": ["Not A Name", "ok"]}, "variables"),
        ({"name": "Order Update"}, "name"),
    ],
)
def test_placeholders_and_variables_must_match(api, olga, wa, overrides, field):
    response = api(olga).post(URL, body(wa, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert WhatsAppTemplate.objects.count() == 0


def test_a_template_belongs_to_a_whatsapp_account(api, olga, queue_a):
    sms = ChannelAccountFactory(kind="sms", external_id=OUR_NUMBER, route_queue=queue_a)
    response = api(olga).post(URL, body(sms), format="json")
    assert response.status_code == 400
    assert "account" in response.json()


def test_a_body_without_placeholders_takes_no_variables(api, olga, wa):
    response = api(olga).post(
        URL, body(wa, name="thanks", body="Thanks for writing!", variables=[]), format="json"
    )
    assert response.status_code == 201


def _chat(customer_writes, wa) -> Conversation:
    return customer_writes("hi", to=wa, address="14155550123").conversation


def send_template(api, agent, conversation, template, variables):
    return api(agent).post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"template": {"id": template.pk, "variables": variables}},
        format="json",
    )


VALUES = {"customer_name": "Alice", "order_id": "A-1042"}


def test_a_template_goes_out_in_the_cloud_api_shape_after_the_window(
    api, alice, wa, order_update, customer_writes, providers, eager
):
    conversation = _chat(customer_writes, wa)
    Conversation.objects.filter(pk=conversation.pk).update(
        reply_window_closes_at=timezone.now() - timedelta(hours=2)
    )
    # Free text is refused; the template goes.
    free = api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/messages/", {"body": "hi"}, format="json"
    )
    assert free.status_code == 409
    response = send_template(api, alice, conversation, order_update, VALUES)
    assert response.status_code == 201
    shown = response.json()
    assert shown["body"] == "Hello Alice, your order A-1042 has shipped."
    assert shown["template"]["name"] == "order_update"
    assert deliver_message.apply(args=(shown["id"],)).get() == "sent"
    (sent,) = providers.requests("whatsapp")
    assert sent.method == "POST"
    assert sent.path.endswith(f"/{PHONE_NUMBER_ID}/messages")
    assert sent.headers.get("Authorization") == f"Bearer {WHATSAPP_CREDENTIALS['access_token']}"
    payload = sent.json()
    assert payload == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "14155550123",
        "type": "template",
        "template": {
            "name": "order_update",
            "language": {"code": "en_US"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Alice"},
                        {"type": "text", "text": "A-1042"},
                    ],
                }
            ],
        },
    }
    message = Message.objects.get(pk=shown["id"])
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.provider_message_id.startswith("wamid.")


def test_a_template_also_goes_inside_the_window(
    api, alice, wa, order_update, customer_writes, providers, eager
):
    conversation = _chat(customer_writes, wa)
    Conversation.objects.filter(pk=conversation.pk).update(
        reply_window_closes_at=timezone.now() + timedelta(hours=20)
    )
    message_id = send_template(api, alice, conversation, order_update, VALUES).json()["id"]
    assert deliver_message.apply(args=(message_id,)).get() == "sent"
    assert providers.requests("whatsapp")[-1].json()["type"] == "template"


def test_the_emulator_refuses_a_template_without_a_language(providers):
    """The emulator checks the documented shape, so the test above can fail."""
    response = httpx.post(
        f"{providers.whatsapp_graph_url}/{PHONE_NUMBER_ID}/messages",
        json={
            "messaging_product": "whatsapp",
            "to": "14155550123",
            "type": "template",
            "template": {"name": "order_update"},
        },
        headers={"Authorization": f"Bearer {WHATSAPP_CREDENTIALS['access_token']}"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "variables",
    [{}, {"customer_name": "Alice"}, {"customer_name": "Alice", "order_id": "  "}],
)
def test_missing_variables_are_a_400_and_queue_nothing(
    api, alice, wa, order_update, customer_writes, variables
):
    conversation = _chat(customer_writes, wa)
    before = Message.objects.count()
    response = send_template(api, alice, conversation, order_update, variables)
    assert response.status_code == 400
    assert "order_id" in response.json()["detail"]
    assert Message.objects.count() == before


def test_unknown_variables_are_a_400(api, alice, wa, order_update, customer_writes):
    conversation = _chat(customer_writes, wa)
    response = send_template(api, alice, conversation, order_update, {**VALUES, "extra": "x"})
    assert response.status_code == 400


def test_a_template_on_another_channel_is_a_409(api, alice, queue_a, order_update, customer_writes):
    sms = ChannelAccountFactory(kind="sms", external_id=OUR_NUMBER, route_queue=queue_a)
    conversation = customer_writes("hi", to=sms, address="+14155550123").conversation
    response = send_template(api, alice, conversation, order_update, VALUES)
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_channel"


def test_another_numbers_template_is_a_400(api, alice, queue_a, order_update, customer_writes):
    second = ChannelAccountFactory(
        kind="whatsapp",
        external_id="113355779900357",
        credentials=WHATSAPP_CREDENTIALS,
        route_queue=queue_a,
    )
    conversation = customer_writes("hi", to=second, address="14155550123").conversation
    response = send_template(api, alice, conversation, order_update, VALUES)
    assert response.status_code == 400


def test_a_template_not_approved_is_refused(api, alice, wa, order_update, customer_writes):
    order_update.status = "PAUSED"
    order_update.save()
    conversation = _chat(customer_writes, wa)
    response = send_template(api, alice, conversation, order_update, VALUES)
    assert response.status_code == 409
    assert response.json()["code"] == "template_not_approved"


def test_text_and_a_template_together_are_a_400(api, alice, wa, order_update, customer_writes):
    conversation = _chat(customer_writes, wa)
    response = api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"body": "and this", "template": {"id": order_update.pk, "variables": VALUES}},
        format="json",
    )
    assert response.status_code == 400


def test_a_failed_status_reaches_a_template_reply_like_any_reply(
    api, alice, wa, order_update, customer_writes, providers, eager
):
    conversation = _chat(customer_writes, wa)
    message_id = send_template(api, alice, conversation, order_update, VALUES).json()["id"]
    deliver_message.apply(args=(message_id,))
    message = Message.objects.get(pk=message_id)
    message_status_update(
        channel_account_id=wa.pk,
        provider_message_id=message.provider_message_id,
        status="delivered",
    )
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.DELIVERED
