"""Rendering a template for a conversation fills the customer's name (inbox's lookup)."""

from __future__ import annotations

import pytest

from templates_app.models import Category, QuickTemplate

pytestmark = pytest.mark.django_db


def test_render_for_a_visible_conversation_uses_the_contact_name(
    customer_writes, alice, oscar, api
):
    conversation = customer_writes("hi", name="Alice Example").conversation
    template = QuickTemplate.objects.create(
        title="Greet",
        body="Hi {{ contact.name }}!",
        category=Category.objects.create(name="General"),
        language="en",
    )
    response = api(alice).post(
        f"/api/v1/templates/{template.pk}/render/", {"conversation": conversation.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["text"] == "Hi Alice Example!"
    hidden = api(oscar).post(
        f"/api/v1/templates/{template.pk}/render/", {"conversation": conversation.pk}, format="json"
    )
    assert hidden.status_code in (400, 404)
