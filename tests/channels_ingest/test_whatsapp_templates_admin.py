"""WhatsApp templates in admin: the system owner's, checked like the API checks them."""

from __future__ import annotations

import pytest
from django.test import Client

from channels_ingest.whatsapp_templates import WhatsAppTemplate
from chatdesk.accounts.models import Role
from tests.factories import ChannelAccountFactory, UserFactory

from .support import PHONE_NUMBER_ID

pytestmark = pytest.mark.django_db

ADD = "/admin/channels_ingest/whatsapptemplate/add/"


def signed_in(role: str) -> Client:
    web = Client()
    web.force_login(UserFactory(username=f"admin-{role}", role=role))
    return web


def form(account, **overrides) -> dict:
    return {
        "account": account.pk,
        "name": "order_update",
        "language": "en_US",
        "category": "UTILITY",
        "body": "Hello {{1}}, your order {{2}} has shipped.",
        "variables": '["customer_name", "order_id"]',
        "status": "APPROVED",
        **overrides,
    }


def test_the_system_owner_adds_a_template(queue_a):
    account = ChannelAccountFactory(
        kind="whatsapp", external_id=PHONE_NUMBER_ID, route_queue=queue_a
    )
    response = signed_in(Role.SYSTEM_OWNER).post(ADD, form(account))
    assert response.status_code == 302
    template = WhatsAppTemplate.objects.get()
    assert template.variables == ["customer_name", "order_id"]


def test_admin_refuses_placeholders_without_names(queue_a):
    account = ChannelAccountFactory(
        kind="whatsapp", external_id=PHONE_NUMBER_ID, route_queue=queue_a
    )
    response = signed_in(Role.SYSTEM_OWNER).post(ADD, form(account, variables='["customer_name"]'))
    assert response.status_code == 200  # the form again, with the reason
    assert "placeholder" in response.content.decode()
    assert WhatsAppTemplate.objects.count() == 0


@pytest.mark.parametrize("role", [Role.AGENT, Role.MANAGER])
def test_other_roles_cannot_manage_templates(queue_a, role):
    account = ChannelAccountFactory(
        kind="whatsapp", external_id=PHONE_NUMBER_ID, route_queue=queue_a
    )
    response = signed_in(role).post(ADD, form(account))
    assert response.status_code in (302, 403)
    assert WhatsAppTemplate.objects.count() == 0
