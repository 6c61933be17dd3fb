"""Actors and a small world for the security suite (docs/operations.md: Security)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from django.core.cache import cache

from channels_ingest.whatsapp_templates import WhatsAppTemplate
from chatdesk.accounts.models import Role
from chatdesk.inbox.models import Label
from chatdesk.inbox.services.attachments import attachment_upload
from chatdesk.webhooks.models import WebhookDelivery, WebhookSubscription
from contacts.models import Contact
from queues.models import BusinessHours, Queue
from templates_app.models import QuickTemplate
from tests.factories import ChannelAccountFactory, UserFactory
from tests.filemakers import ALLOWED_SAMPLES


@pytest.fixture
def olga(db):
    return UserFactory(username="olga", first_name="Olga", role=Role.SYSTEM_OWNER)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clean_cache():
    """Throttle counters live in the shared Redis cache: start and end with none."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    """One object of every kind an endpoint may name, seen from queue A."""

    conversation: int  # offered to queue A: alice, bob, carol, olga see it; oscar does not
    message: int
    attachment: int
    contact: int
    other_contact: int
    template: int
    queue: int
    account: int
    site_key: str
    bob: int
    business_hours: int  # used by no queue, so it may be deleted
    webhook: int = 0  # a subscription with one delivery, failed
    webhook_delivery: int = 0
    wa_template: int = 0  # a WhatsApp template of the chat's account
    label: int = 0  # on no chat yet
    erasable_contact: int = 0  # no open chat: a system owner may erase them


@pytest.fixture
def world(customer_writes, queue_a, alice, bob, carol, oscar, olga) -> World:
    message = customer_writes("I need help", address="14155550777")
    attachment = attachment_upload(agent=olga, name="a.pdf", data=ALLOWED_SAMPLES["pdf"]())
    attachment.message = message
    attachment.save(update_fields=["message"])
    contact = Contact.objects.create(name="Known Customer", email="known@example.com")
    other = Contact.objects.create(name="Other Customer", email="other@example.com")
    site = ChannelAccountFactory(
        kind="livechat",
        external_id="security-site",
        route_queue=queue_a,
        allowed_origins=["http://127.0.0.1:8000"],
    )
    template = QuickTemplate.objects.create(
        title="Hello", body="Hello {{ contact.first_name }}", language="en"
    )
    return World(
        conversation=message.conversation_id,
        message=message.pk,
        attachment=attachment.pk,
        contact=contact.pk,
        other_contact=other.pk,
        template=template.pk,
        queue=Queue.objects.get(pk=queue_a.pk).pk,
        account=message.conversation.channel_account_id,
        site_key=site.external_id,
        bob=bob.pk,
        business_hours=BusinessHours.objects.create(name="Weekdays", time_zone="UTC").pk,
        **_webhook(),
        wa_template=WhatsAppTemplate.objects.create(
            account_id=message.conversation.channel_account_id,
            name="order_update",
            language="en_US",
            body="Hello {{1}}, your order {{2}} has shipped.",
            variables=["customer_name", "order_id"],
        ).pk,
        label=Label.objects.create(name="VIP", color="#aa0000").pk,
        erasable_contact=Contact.objects.create(name="Gone Soon").pk,
    )


def _webhook() -> dict[str, int]:
    subscription = WebhookSubscription.objects.create(
        url="https://hooks.example.com/chatdesk", secret="s" * 32, events=["message.created"]
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event_id=uuid.uuid4(),
        type="message.created",
        payload="{}",
        state=WebhookDelivery.State.FAILED,
    )
    return {"webhook": subscription.pk, "webhook_delivery": delivery.pk}
