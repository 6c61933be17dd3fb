"""Channel secrets go in and never come out: not in API answers, not in the logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from channels_ingest.tasks import deliver_message
from chatdesk.celery import app as celery_app
from chatdesk.inbox.models import DeliveryStatus, Message
from chatdesk.inbox.services.ownership import message_reply
from devtools.emulator import ProviderEmulator
from tests.channels_ingest.support import (
    FIXTURES,
    PHONE_NUMBER_ID,
    WHATSAPP_CREDENTIALS,
    meta_signature,
    restamped,
)
from tests.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db

SECRETS = [value for value in WHATSAPP_CREDENTIALS.values() if value]


@pytest.fixture(scope="module")
def emulator() -> Iterator[ProviderEmulator]:
    with ProviderEmulator(fixtures_dir=FIXTURES, timeout_seconds=2.0) as running:
        yield running


@pytest.fixture
def wa_account(queue_a, settings, emulator):
    emulator.reset()
    settings.WHATSAPP_GRAPH_URL = emulator.whatsapp_graph_url
    return ChannelAccountFactory(
        kind="whatsapp",
        external_id=PHONE_NUMBER_ID,
        credentials=WHATSAPP_CREDENTIALS,
        route_queue=queue_a,
    )


def _assert_no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a credential appeared in {where}"


def test_the_api_never_returns_credentials(wa_account, olga, api, queue_a):
    client = api(olga)
    _assert_no_secret(client.get("/api/v1/channel-accounts/").content.decode(), "the list")
    detail = client.get(f"/api/v1/channel-accounts/{wa_account.pk}/")
    assert detail.status_code == 200
    assert "credentials" not in detail.json()
    _assert_no_secret(detail.content.decode(), "the detail")
    changed = client.patch(
        f"/api/v1/channel-accounts/{wa_account.pk}/",
        {"credentials": {"access_token": "rotated-secret-token-123"}},
        format="json",
    )
    assert changed.status_code == 200
    assert "rotated-secret-token-123" not in changed.content.decode()
    created = client.post(
        "/api/v1/channel-accounts/",
        {
            "kind": "sms",
            "name": "Line 2",
            "external_id": "+15005550098",
            "route": {"queue": queue_a.pk},
            "credentials": {"account_sid": "AC" + "2" * 32, "auth_token": "twilio-secret-xyz"},
        },
        format="json",
    )
    assert created.status_code == 201
    assert "twilio-secret-xyz" not in created.content.decode()
    schema = client.get("/api/schema/?format=json").json()
    assert schema["components"]["schemas"]["ChannelAccount"]["properties"]["credentials"][
        "writeOnly"
    ]


def test_no_credential_is_logged_on_webhook_and_delivery(wa_account, alice, caplog):
    caplog.set_level(logging.DEBUG)
    web = Client()
    body = restamped("whatsapp_text.json")  # a reply must fall in the window
    wrong = {"X-Hub-Signature-256": "sha256=" + "0" * 64}
    # A refused webhook, a handshake with a wrong token, a stored one, then a reply sent out.
    assert (
        web.post("/webhooks/whatsapp/", body, "application/json", headers=wrong).status_code == 403
    )
    handshake = {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}
    assert web.get("/webhooks/whatsapp/", handshake).status_code == 403
    stored = web.post("/webhooks/whatsapp/", body, "application/json", headers=meta_signature(body))
    assert stored.status_code == 200
    conversation = Message.objects.get().conversation
    celery_app.conf.task_always_eager = True
    try:
        reply, _ = message_reply(conversation_id=conversation.pk, agent=alice, body="Hi!")
        deliver_message.apply(args=(reply.pk,))
    finally:
        celery_app.conf.task_always_eager = False
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    logged = "\n".join(
        [caplog.text] + [json.dumps(record.__dict__, default=str) for record in caplog.records]
    )
    assert caplog.records, "nothing was logged: the check would prove nothing"
    _assert_no_secret(logged, "the logs")
