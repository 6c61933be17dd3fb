"""Actors and templates for the template tests.

One user per role (plus a superuser) so permission tests can walk the matrix.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from chatdesk.accounts.models import Role
from templates_app.models import Category, QuickTemplate
from tests.factories import UserFactory

SUPERVISOR_ROLES = [Role.MANAGER, Role.GROUP_OWNER, Role.SYSTEM_OWNER]
ALL_ROLES = [Role.AGENT, *SUPERVISOR_ROLES]


def make_template(**fields) -> QuickTemplate:
    category = fields.pop("category", None)
    if isinstance(category, str):
        category, _ = Category.objects.get_or_create(name=category)
    fields.setdefault("title", f"Template {QuickTemplate.objects.count() + 1}")
    fields.setdefault("body", "Hello {{ contact.first_name }}, this is {{ agent.first_name }}.")
    return QuickTemplate.objects.create(category=category, **fields)


@pytest.fixture
def user_with_role(db):
    def make(role: str, **fields):
        return UserFactory(username=f"{role}-user", role=role, **fields)

    return make


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def greeting(db) -> QuickTemplate:
    return make_template(title="Greeting", category="Openers")
