"""The template API: fields, validation, rendering and counting uses."""

from __future__ import annotations

import pytest

from chatdesk.accounts.models import Role
from templates_app import contact_lookup
from templates_app.models import Category, QuickTemplate
from tests.factories import QueueFactory
from tests.templates_app.conftest import make_template

URL = "/api/v1/templates/"


@pytest.fixture
def manager_api(api_for, user_with_role):
    return api_for(user_with_role(Role.MANAGER))


def test_create_returns_the_contract_fields(manager_api, db):
    queue = QueueFactory(name="Sales")
    response = manager_api.post(
        URL,
        {
            "title": "Olá",
            "body": "Olá {{ contact.first_name }}!",
            "category": "Openers",
            "language": "pt-br",
            "queue": queue.pk,
        },
        format="json",
    )
    assert response.status_code == 201
    template = QuickTemplate.objects.get()
    assert response.json() == {
        "id": template.pk,
        "title": "Olá",
        "body": "Olá {{ contact.first_name }}!",
        "category": "Openers",
        "language": "pt-BR",
        "queue": queue.pk,
        "usage_count": 0,
        "shortcut": None,
    }
    assert template.created_by.role == Role.MANAGER


def test_an_unknown_placeholder_is_a_400_naming_it(manager_api):
    response = manager_api.post(
        URL, {"title": "T", "body": "Hi {{ contact.email }}"}, format="json"
    )
    assert response.status_code == 400
    assert "Unknown placeholder {{ contact.email }}" in response.json()["body"][0]
    assert not QuickTemplate.objects.exists()


def test_an_unknown_placeholder_is_refused_on_update_too(manager_api, greeting):
    response = manager_api.patch(
        f"{URL}{greeting.pk}/", {"body": "{{ agent.email }}"}, format="json"
    )
    assert response.status_code == 400
    greeting.refresh_from_db()
    assert "agent.email" not in greeting.body


def test_a_malformed_language_is_a_400(manager_api):
    response = manager_api.post(
        URL, {"title": "T", "body": "x", "language": "english"}, format="json"
    )
    assert response.status_code == 400
    assert "language" in response.json()


def test_a_duplicate_title_in_the_same_scope_is_a_400(manager_api, greeting):
    payload = {"title": "Greeting", "body": "Again", "language": "en"}
    response = manager_api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert "already exists" in str(response.json())
    queue = QueueFactory()
    assert manager_api.post(URL, {**payload, "queue": queue.pk}, format="json").status_code == 201


def test_a_category_is_reused_whatever_its_case(manager_api, greeting):
    response = manager_api.post(
        URL, {"title": "T", "body": "x", "category": "openers"}, format="json"
    )
    assert response.json()["category"] == "Openers"
    assert Category.objects.count() == 1


def test_rendering_counts_a_use_and_reorders_the_list(api_for, alice, greeting):
    other = make_template(title="Another")
    api = api_for(alice)
    assert [t["id"] for t in api.get(URL).json()["results"]] == [other.pk, greeting.pk]
    for _ in range(2):
        api.post(f"{URL}{greeting.pk}/render/", {}, format="json")
    greeting.refresh_from_db()
    assert greeting.usage_count == 2
    assert [t["id"] for t in api.get(URL).json()["results"]] == [greeting.pk, other.pk]


def test_render_without_a_contact_name(api_for, alice, greeting):
    response = api_for(alice).post(f"{URL}{greeting.pk}/render/", {}, format="json")
    assert response.json() == {"text": "Hello there, this is Alice."}


@pytest.fixture
def inbox_lookup(monkeypatch):
    def lookup(user, conversation_id):
        if conversation_id != 7:
            raise contact_lookup.ConversationNotVisible(conversation_id)
        return "Jonas Müller"

    # monkeypatch puts inbox's real lookup back afterwards for the tests that follow.
    monkeypatch.setattr(contact_lookup, "_lookup", lookup)


def test_render_for_a_conversation_asks_the_registered_lookup(
    api_for, alice, greeting, inbox_lookup
):
    api = api_for(alice)
    response = api.post(f"{URL}{greeting.pk}/render/", {"conversation": 7}, format="json")
    assert response.json() == {"text": "Hello Jonas, this is Alice."}
    hidden = api.post(f"{URL}{greeting.pk}/render/", {"conversation": 8}, format="json")
    assert hidden.status_code == 404


def test_render_for_a_conversation_without_a_lookup_says_there(
    api_for, alice, greeting, monkeypatch
):
    monkeypatch.setattr(contact_lookup, "_lookup", None)  # as before inbox registers one
    response = api_for(alice).post(
        f"{URL}{greeting.pk}/render/", {"conversation": 7}, format="json"
    )
    assert response.json() == {"text": "Hello there, this is Alice."}


def test_the_schema_describes_the_template_endpoints(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert {
        "/api/v1/templates/",
        "/api/v1/templates/{id}/",
        "/api/v1/templates/categories/",
        "/api/v1/templates/{id}/render/",
    } <= set(schema["paths"])
    list_params = {p["name"] for p in schema["paths"]["/api/v1/templates/"]["get"]["parameters"]}
    assert {"search", "category", "language"} <= list_params
