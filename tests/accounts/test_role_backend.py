"""A system owner may do everything, even on models added after the role migration."""

from __future__ import annotations

import pytest

from chatdesk.accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_system_owner_has_every_permission_without_being_superuser():
    owner = UserFactory(username="sys", role=Role.SYSTEM_OWNER, is_superuser=False)
    assert owner.has_perm("inbox.view_event")
    assert owner.has_perm("channels_ingest.change_channelaccount")
    assert owner.has_module_perms("queues")


def test_agent_and_manager_keep_their_role_permissions():
    agent = UserFactory(username="ag", role=Role.AGENT)
    manager = UserFactory(username="mg", role=Role.MANAGER)
    assert not agent.has_perm("templates_app.add_quicktemplate")
    assert manager.has_perm("templates_app.add_quicktemplate")
    assert not manager.has_perm("channels_ingest.change_channelaccount")


def test_deactivated_system_owner_has_none():
    owner = UserFactory(username="gone", role=Role.SYSTEM_OWNER, is_active=False)
    assert not owner.has_perm("inbox.view_event")
