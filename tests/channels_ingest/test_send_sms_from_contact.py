"""The contact panel's "Send SMS": opens, or reuses, an SMS chat owned by the agent."""

from __future__ import annotations

import pytest

from contacts.models import Contact
from tests.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db


def test_send_sms_opens_then_reuses_the_chat(queue_a, alice, bob, api):
    line = ChannelAccountFactory(kind="sms", external_id="+15005550006", route_queue=queue_a)
    contact = Contact.objects.create(name="Dana", phone="+14155550142")
    first = api(alice).post(f"/api/v1/contacts/{contact.pk}/sms/", {}, format="json")
    assert first.status_code == 201, first.content
    chat = first.json()
    assert (chat["channel"], chat["owner"], chat["status"]) == ("sms", alice.pk, "taken")
    assert chat["external_address"] == "+14155550142"
    again = api(alice).post(f"/api/v1/contacts/{contact.pk}/sms/", {}, format="json")
    assert (again.status_code, again.json()["id"]) == (200, chat["id"])
    # Someone else's open SMS chat with the contact is not taken over.
    assert (
        api(bob).post(f"/api/v1/contacts/{contact.pk}/sms/", {}, format="json").status_code == 409
    )
    reply = api(alice).post(
        f"/api/v1/conversations/{chat['id']}/messages/",
        {"body": "Your order is ready"},
        format="json",
    )
    assert reply.status_code == 201
    assert line.pk  # the only line was used


def test_send_sms_needs_a_phone_and_a_line(queue_a, alice, api):
    no_phone = Contact.objects.create(name="Eve")
    response = api(alice).post(f"/api/v1/contacts/{no_phone.pk}/sms/", {}, format="json")
    assert response.status_code == 400
    with_phone = Contact.objects.create(name="Finn", phone="+14155550143")
    response = api(alice).post(f"/api/v1/contacts/{with_phone.pk}/sms/", {}, format="json")
    assert response.status_code == 400
    assert "No SMS line" in response.json()["detail"]
