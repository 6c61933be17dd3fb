"""Who may do what with templates over the API (docs/api.md: writes are 403 for agents)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from chatdesk.accounts.models import Role
from templates_app.models import QuickTemplate
from tests.templates_app.conftest import ALL_ROLES, SUPERVISOR_ROLES

URL = "/api/v1/templates/"


def _write(client: APIClient, action: str, template: QuickTemplate):
    detail = f"{URL}{template.pk}/"
    if action == "create":
        return client.post(URL, {"title": "New", "body": "Hi {{ contact.name }}"}, format="json")
    if action == "update":
        payload = {"title": "Put", "body": "Hello", "language": "en", "queue": None}
        return client.put(detail, payload, format="json")
    if action == "partial_update":
        return client.patch(detail, {"body": "Patched"}, format="json")
    return client.delete(detail)


WRITES = {"create": 201, "update": 200, "partial_update": 200, "destroy": 204}


@pytest.mark.parametrize("action", list(WRITES))
@pytest.mark.parametrize("role", SUPERVISOR_ROLES)
def test_supervisors_may_write(api_for, user_with_role, greeting, role, action):
    response = _write(api_for(user_with_role(role)), action, greeting)
    assert response.status_code == WRITES[action], response.content


@pytest.mark.parametrize("action", list(WRITES))
def test_a_superuser_may_write(api_for, superuser, greeting, action):
    assert _write(api_for(superuser), action, greeting).status_code == WRITES[action]


@pytest.mark.parametrize("action", list(WRITES))
def test_agents_may_not_write(api_for, user_with_role, greeting, action):
    before = greeting.body
    response = _write(api_for(user_with_role(Role.AGENT)), action, greeting)
    assert response.status_code == 403
    assert list(QuickTemplate.objects.values_list("title", "body")) == [("Greeting", before)]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_reads_lists_tabs_and_renders(api_for, user_with_role, greeting, role):
    client = api_for(user_with_role(role, first_name="Robin"))
    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}{greeting.pk}/").status_code == 200
    assert client.get(f"{URL}categories/").json() == [
        {"id": greeting.category_id, "name": "Openers", "template_count": 1}
    ]
    response = client.post(f"{URL}{greeting.pk}/render/", {"contact_name": "Jo Doe"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"text": "Hello Jo, this is Robin."}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", URL),
        ("post", URL),
        ("get", f"{URL}categories/"),
        ("get", f"{URL}1/"),
        ("patch", f"{URL}1/"),
        ("delete", f"{URL}1/"),
        ("post", f"{URL}1/render/"),
    ],
)
def test_anonymous_callers_are_refused(db, method, path):
    assert getattr(APIClient(), method)(path).status_code == 401


def test_token_authentication_reaches_the_templates(client, user_with_role, greeting):
    manager = user_with_role(Role.MANAGER)
    token = client.post(
        "/api/v1/auth/token/", {"username": manager.username, "password": "correct-horse-battery"}
    ).json()["token"]
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.post(URL, {"title": "Bye", "body": "Bye!", "category": "Closers"}, format="json")
    assert response.status_code == 201
    assert response.json()["category"] == "Closers"
