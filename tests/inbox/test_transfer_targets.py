"""Who a chat can be handed to: agents, available first and offline last; a manager
or owner only with an extension."""

from __future__ import annotations

import pytest

from chatdesk.accounts.models import Presence, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    def user(name, status, **extra):
        return UserFactory(username=name, first_name=name.title(), status=status, **extra)

    return {
        "zed": user("zed", Presence.AVAILABLE, extension="301"),
        "amy": user("amy", Presence.OFFLINE, extension="302"),
        "ben": user("ben", Presence.AWAY, extension="303"),
        "cat": user("cat", Presence.AVAILABLE, extension=None),
        "meg": user("meg", Presence.AVAILABLE, role=Role.MANAGER, extension=None),
        "ola": user("ola", Presence.AVAILABLE, role=Role.SYSTEM_OWNER, extension=None),
        "root": user("root", Presence.AVAILABLE, is_superuser=True, extension=None),
        "sam": user("sam", Presence.AVAILABLE, role=Role.MANAGER, extension="399"),
    }


def test_transfer_targets_are_agents_available_first_offline_last(team, api):
    response = api(team["zed"]).get("/api/v1/agents/", {"transfer": "1"})
    names = [(a["username"], a["status"]) for a in response.json()["results"]]
    assert names == [
        ("cat", "available"),
        ("sam", "available"),  # a manager with an extension answers chats too
        ("zed", "available"),
        ("ben", "away"),
        ("amy", "offline"),
    ]
    searched = api(team["zed"]).get("/api/v1/agents/", {"transfer": "1", "search": "o"})
    assert [a["username"] for a in searched.json()["results"]] == []
    # The colleague search for an internal chat still lists everyone.
    everyone = api(team["zed"]).get("/api/v1/agents/").json()["results"]
    assert {"meg", "ola", "root"} <= {a["username"] for a in everyone}


def test_an_owner_without_an_extension_is_no_transfer_target(team, customer_writes, alice, api):
    conversation = customer_writes("Hi").conversation
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/")
    for who in ("ola", "root", "meg"):
        response = api(alice).post(
            f"/api/v1/conversations/{conversation.pk}/transfer/",
            {"agent": team[who].pk},
            format="json",
        )
        assert response.status_code == 400, who
        assert "does not take chats" in str(response.json())
