"""Templates in Django admin: access follows the roles; pages load and save."""

from __future__ import annotations

import pytest

from chatdesk.accounts.models import Role
from templates_app.models import Category, QuickTemplate
from tests.templates_app.conftest import SUPERVISOR_ROLES

ADMIN = "/admin/templates_app/quicktemplate/"


def _form(**fields) -> dict:
    return {
        "title": "Opening hours",
        "body": "We open at 9, {{ contact.first_name }}.",
        "category": "",
        "language": "en",
        "queue": "",
        **fields,
    }


@pytest.fixture
def signed_in(client, user_with_role, superuser):
    def sign_in(role: str):
        user = superuser if role == "superuser" else user_with_role(role)
        client.force_login(user)
        return client

    return sign_in


@pytest.mark.parametrize("role", [*SUPERVISOR_ROLES, "superuser"])
def test_supervisors_list_add_change_and_delete(signed_in, greeting, role):
    client = signed_in(role)
    page = client.get(ADMIN)
    assert page.status_code == 200
    assert b"Greeting" in page.content and b"Import CSV" in page.content
    assert client.get(f"{ADMIN}add/").status_code == 200
    added = client.post(f"{ADMIN}add/", _form(category=greeting.category_id))
    assert added.status_code == 302, added.context and added.context["adminform"].errors
    template = QuickTemplate.objects.get(title="Opening hours")
    assert template.created_by.username in {f"{role}-user", "root"}
    assert client.get(f"{ADMIN}{template.pk}/change/").status_code == 200
    changed = client.post(f"{ADMIN}{template.pk}/change/", _form(body="Open 9-5.", language="de"))
    assert changed.status_code == 302
    template.refresh_from_db()
    assert (template.body, template.language) == ("Open 9-5.", "de")
    assert client.get(f"{ADMIN}{template.pk}/delete/").status_code == 200
    assert client.post(f"{ADMIN}{template.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not QuickTemplate.objects.filter(pk=template.pk).exists()


@pytest.mark.parametrize("role", SUPERVISOR_ROLES)
def test_supervisors_manage_categories(signed_in, role):
    client = signed_in(role)
    assert client.get("/admin/templates_app/category/").status_code == 200
    response = client.post("/admin/templates_app/category/add/", {"name": "Billing", "position": 2})
    assert response.status_code == 302
    assert Category.objects.get().position == 2


def test_an_agent_has_no_admin(signed_in, greeting):
    client = signed_in(Role.AGENT)
    for path in (
        ADMIN,
        f"{ADMIN}add/",
        f"{ADMIN}{greeting.pk}/change/",
        f"{ADMIN}{greeting.pk}/delete/",
        f"{ADMIN}import-csv/",
        f"{ADMIN}export-csv/",
        "/admin/",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/")
    client.post(f"{ADMIN}add/", _form())
    client.post(f"{ADMIN}{greeting.pk}/delete/", {"post": "yes"})
    assert list(QuickTemplate.objects.values_list("title", flat=True)) == ["Greeting"]


def test_the_admin_refuses_an_unknown_placeholder(signed_in):
    response = signed_in(Role.MANAGER).post(f"{ADMIN}add/", _form(body="Hi {{ contact.phone }}"))
    assert response.status_code == 200
    assert "Unknown placeholder {{ contact.phone }}" in response.content.decode()
    assert not QuickTemplate.objects.exists()


def test_filters_and_search_in_the_changelist(signed_in, greeting):
    client = signed_in(Role.MANAGER)
    assert b"Greeting" in client.get(ADMIN, {"q": "contact.first_name"}).content
    assert b"Greeting" not in client.get(ADMIN, {"q": "nothing-like-it"}).content
    assert b"Greeting" in client.get(ADMIN, {"language__exact": "en"}).content
    assert b"Greeting" not in client.get(ADMIN, {"language__exact": "de"}).content
    by_category = client.get(ADMIN, {"category__id__exact": greeting.category_id})
    assert b"Greeting" in by_category.content


def test_a_manager_does_not_see_channel_secrets(user_with_role):
    manager = user_with_role(Role.MANAGER)
    assert manager.is_staff
    assert not manager.has_perm("channels_ingest.view_channelaccount")
    assert not manager.has_perm("queues.change_queue")
    assert manager.has_perm("templates_app.delete_quicktemplate")
